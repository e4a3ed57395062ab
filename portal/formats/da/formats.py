"""Danish dates as a Danish reader writes them: ``6.4.2027``, ``6. april 2027``. The rest
(input formats, number separators) is Django's Danish locale."""

DATE_FORMAT = "j. F Y"
DATETIME_FORMAT = "j. F Y H:i"
SHORT_DATE_FORMAT = "j.n.Y"
SHORT_DATETIME_FORMAT = "j.n.Y H:i"
