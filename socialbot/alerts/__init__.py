"""Alerts to a named owner: what went wrong, told to the person who can fix it.

The service layer hands :class:`~socialbot.alerts.model.Alert` values to a
:class:`~socialbot.alerts.dispatcher.Dispatcher`, which routes them to the owners set in
``[alerts]``, merges bursts into one digest per owner and channel, sends each alert key
once and keeps within the robots' rate limits. Transports (WeCom robot, DingTalk robot,
e-mail) each live in their own module.

This package file imports nothing on purpose: ``socialbot.config_file`` reads the ``[alerts]``
section through :mod:`socialbot.alerts.settings` (plain data, standard library only) and
must not pull in HTTP or SMTP code to do so.
"""
