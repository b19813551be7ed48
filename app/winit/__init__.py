"""WINIT open API: MD5 request signing, the return-order client, and mapping to records."""
