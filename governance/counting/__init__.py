"""Exact vote counting: motions, plurality, approval, IRV and multi-seat STV, with full count sheets."""
