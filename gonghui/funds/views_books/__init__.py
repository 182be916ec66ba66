"""The books pages (issue 12 §1): a union's vouchers, voucher entry and reversal, its chart of accounts, opening
balances and the year-end carry-forward, the ledgers and statements, and the federation's chart upload."""
