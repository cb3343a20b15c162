"""The EU Digital Services Act's duties: notices from anyone (Art. 16), trusted flaggers (Art. 22),
statements of reasons (Art. 17) in the Commission's Transparency Database format and their
submission (Art. 24(5)), transparency reports (Art. 15, 24).

``vocabulary`` holds the database's values and the mappings to them, ``detection`` says whether
automated means flagged an item, ``statements`` builds a statement from an event (pure functions,
tested without Redis), ``worker`` turns the event
streams into statements and sends them, ``report`` computes the transparency report."""
