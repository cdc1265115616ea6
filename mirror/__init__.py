"""An offline mirror of the publishers' sites, served on loopback for the demo and the tests."""
