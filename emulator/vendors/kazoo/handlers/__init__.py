"""Kazoo's thin handlers, one module per Crossbar resource as Crossbar's own modules are
(``cb_faxes``, ``cb_faxboxes``, ``cb_webhooks``, ``cb_user_auth``/``cb_api_auth``): each
parses, makes one call into the vendor's model modules or the runtime, and answers in
Crossbar's envelope (``envelope.respond``). The logic they call lives beside this package
(``jobs.py``, ``folders.py``, ``faxboxes.py``, ``hooks.py``, ``auth.py``)."""
