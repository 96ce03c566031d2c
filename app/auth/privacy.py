"""The privacy policy's version: what a citizen agrees to at registration is
recorded with it (users.consent_version). A new text of auth/privacy.html
gets a new version."""
POLICY_VERSION = "2026-2"
UPDATED = "2026 年 12 月 2 日"
