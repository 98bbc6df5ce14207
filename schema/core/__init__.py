"""What every area of the API shares: ids, errors, pagination, the Node interface."""
