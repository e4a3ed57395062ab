"""British-style English dates, never the American month-first ones (``04/06/2027`` would be
read as 4 June in Denmark): ``6 Apr 2027``, ``29 November 2026``. The rest is Django's English
locale."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
