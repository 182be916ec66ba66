"""gonghui (工会): a work platform for trade-union federations and their grassroots unions."""
