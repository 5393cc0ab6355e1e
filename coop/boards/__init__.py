"""The board: the register of directors, their particulars and the composition guard on every change."""
