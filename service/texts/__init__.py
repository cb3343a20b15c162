"""The bank of removed comments: what a text's signature is (``signature``), and the seeded edit
generator that measures how well near-copies are caught (``edits``). Pure: no Redis, no Flask."""
