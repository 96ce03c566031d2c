"""Proof of identity: SMS verification codes, password reset and sign-in by
code, verified phones, and TOTP two-factor sign-in for staff accounts."""
