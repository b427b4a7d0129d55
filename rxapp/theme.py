"""The design tokens: colours, sizes and style presets shared by the pages and components.

Plain constants, no reflex import. assets/styles.css declares the colours it uses as CSS
custom properties with the same values (a unit test keeps the two in step).
Every text colour has at least 4.5:1 contrast on white.
"""

from __future__ import annotations

# Colours.
BRAND_BLUE = "#0c419a"
BRAND_BLUE_TINT = "#eef2fb"  # background of a highlighted block (banner, chosen option)
TEXT = "#1f2937"
TEXT_STRONG = "#111827"  # what a person types in a control
TEXT_SECONDARY = "#374151"  # dates, footer, captions
TEXT_HINT = "#4b5563"  # a field's hint, an empty value
BORDER_COLOUR = "#d1d5db"
DIVIDER_COLOUR = "#e5e7eb"
CONTROL_BORDER_COLOUR = "#6b7280"  # 3:1 on white, as WCAG asks of a control's edge
SURFACE_MUTED = "#f3f4f6"  # the navigation bar, a quiet panel
ERROR_TEXT = "#991b1b"
ERROR_BORDER = "#b91c1c"
ERROR_BACKGROUND = "#fef2f2"
SUCCESS_BORDER = "#15803d"
SUCCESS_BACKGROUND = "#f0fdf4"
WARNING_TEXT = "#92400e"

# Sizes.
TOUCH_TARGET = "44px"  # the smallest height of anything a finger must hit (WCAG 2.5.5)
CONTENT_WIDTH = "1200px"  # header, navigation, main and footer share this column
RADIUS = "8px"  # cards, panels, fieldsets
BUTTON_RADIUS = "6px"
BOX_PADDING = "12px 16px"

# The page's centred column (header bars, navigation, main); a header bar also fills it and pads.
CONTENT_COLUMN = {"max_width": CONTENT_WIDTH, "margin_x": "auto"}
HEADER_BAR = {"width": "100%", **CONTENT_COLUMN, "padding": BOX_PADDING}

# A list without bullets or indent (cards, rows).
BARE_LIST = {"list_style": "none", "padding": "0", "margin": "0"}

# Borders.
BORDER = f"1px solid {BORDER_COLOUR}"
DIVIDER = f"1px solid {DIVIDER_COLOUR}"

# Buttons: Radix size 3, at least a touch target high.
BUTTON = {"size": "3", "min_height": TOUCH_TARGET}
# A button whose label may wrap on a phone instead of overflowing.
WRAPPING_BUTTON = {**BUTTON, "white_space": "normal", "height": "auto", "padding_y": "10px"}


# A link to a document (a PDF, or its accessible version): underlined, with a taller touch target.
DOCUMENT_LINK = {
    "color": BRAND_BLUE,
    "text_decoration": "underline",
    "display": "inline-block",
    "padding_y": "10px",
}
