"""A drop-in for Google's Perspective API (``/v1alpha1/comments:analyze``): the request and
response shapes, Raqib's categories mapped to Perspective's attributes, Google's error shape, and
the discovery document that Google's own client builds its calls from. Pure: no Flask, no Redis."""
