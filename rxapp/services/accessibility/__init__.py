"""The RGAA 4.1 audit grid and what the accessibility statement computes from it."""
