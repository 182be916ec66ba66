from django.dispatch import Signal

# Sent inside org_move's transaction after a subtree's paths changed from old_path to new_path.
# Apps that keep an org path on their own rows (for one-range subtree scans) rewrite them here.
subtree_moved = Signal()  # kwargs: old_path, new_path
