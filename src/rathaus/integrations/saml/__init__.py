"""SAML 2.0 service provider for BundID and other SAML identity providers (pysaml2)."""
