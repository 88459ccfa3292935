"""Paper at the counter: the refund receipt, the end-of-shift report, and where they print.

Qt-free except `pdf.py` (QPdfWriter draws the same lines to a PDF; the command line loads it
only for `--pdf`). `receipt.py` and `report.py` lay their content out as lines of text for a
given width, one layout for the receipt printer (`escpos.py`) and the PDF alike.
"""
