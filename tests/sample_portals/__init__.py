"""Sample 招商引资 portals served on 127.0.0.1 for the demo and the tests."""
