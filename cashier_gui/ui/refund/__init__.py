"""The refund screen: its Qt-free rules (`flow`)."""
