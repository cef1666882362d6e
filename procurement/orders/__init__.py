"""Purchase orders, shipments, receipts and delivery service levels."""
