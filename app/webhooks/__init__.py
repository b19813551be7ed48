"""The webhook receiver: Return Helper signed events and WINIT return-order status events."""
