# The tracker writes dates day first, as its source does ("14 April 2025"),
# not Django's American default ("April 14, 2025").
DATE_FORMAT = "j F Y"
YEAR_MONTH_FORMAT = "F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
