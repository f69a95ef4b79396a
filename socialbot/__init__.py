"""socialbot: campaign posts for WeChat Official Accounts and Weibo."""

__version__ = "0.1.0"
