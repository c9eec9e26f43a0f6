"""Publishers (layer L4): one class per network, the same interface, an explicit registry.

``PUBLISHERS`` maps a channel id to its publisher class. Network libraries are imported inside
each module's functions, so importing this package stays cheap.
"""
