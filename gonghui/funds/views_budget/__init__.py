"""The budget part's pages: budgets, final accounts and the public board's publish action (``budgets``);
decisions, large expenses, audits and suppliers (``records``)."""
