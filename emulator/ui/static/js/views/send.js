// Send an inbound fax (POST /_emulator/inbound): vendor, to, from, an optional PDF.
import { api, vendors } from "../api.js";
import { h } from "../dom.js";

const MAX_BYTES = 20 * 1024 * 1024;

export function render(main, { toast }) {
  const vendor = h("select", { id: "in-vendor", name: "vendor", required: true });
  const to = h("input", { id: "in-to", name: "to", required: true, placeholder: "+15550100", autocomplete: "off" });
  const from = h("input", { id: "in-from", name: "from", required: true, placeholder: "+15550199", autocomplete: "off" });
  const tenant = h("input", { id: "in-tenant", name: "tenant", placeholder: "found from the number", autocomplete: "off" });
  const file = h("input", { id: "in-file", name: "document", type: "file", accept: "application/pdf,.pdf,image/tiff,.tif,.tiff" });
  const pages = h("input", { id: "in-pages", name: "pages", type: "number", min: 1, max: 1000, value: 1 });
  const result = h("div", { "aria-live": "polite" });
  const submit = h("button", { type: "submit", class: "primary" }, "Send inbound fax");
  const form = h("form", { class: "form panel panel-pad", "aria-labelledby": "send-title" },
    field("Vendor", vendor, "Vendors that receive faxes."),
    field("To", to, "The receiving number: it decides whose inbox the fax lands in."),
    field("From", from, "The sending number, as the vendor reports it."),
    field("Tenant (optional)", tenant, "Without one, the vendor finds the owner of the number."),
    field("Document (optional)", file, "A PDF or TIFF. Without one, a generated PDF of the pages below."),
    field("Pages without a document", pages, ""),
    h("div", { class: "actions" }, submit),
    result);
  main.append(h("div", { class: "page-head" }, h("h1", { id: "send-title" }, "Send an inbound fax")), form);

  vendors().then((list) => {
    for (const v of list.filter((item) => item.inbound)) vendor.append(h("option", { value: v.name }, v.title));
  }).catch((error) => toast(error.message, true));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { vendor: vendor.value, to: to.value.trim(), from: from.value.trim() };
    if (tenant.value.trim()) body.tenant = tenant.value.trim();
    const chosen = file.files[0];
    if (chosen) {
      if (chosen.size > MAX_BYTES) { toast(`The document is larger than ${MAX_BYTES / 1024 / 1024} MiB`, true); return; }
      body.document_base64 = await base64(chosen);
      body.filename = chosen.name;
    } else body.pages = Number(pages.value) || 1;
    submit.disabled = true;
    try {
      const fax = await api("/inbound", { method: "POST", body });
      result.replaceChildren(h("p", { class: "notice" }, "Received as ",
        h("a", { href: `#/fax/${encodeURIComponent(fax.id)}` }, fax.id), ` (${fax.status}).`));
      toast("Inbound fax received");
    } catch (error) {
      result.replaceChildren(h("p", { class: "notice bad", role: "alert" }, error.message));
      const name = error.body?.error?.field;
      const target = { vendor, to, from, tenant, document_base64: file, pages }[name];
      target?.focus();
    } finally { submit.disabled = false; }
  });
}

function field(label, input, help) {
  return h("div", { class: "field" }, h("label", { for: input.id }, label), input, help ? h("small", {}, help) : null);
}

function base64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(",", 2)[1] || "");
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}
