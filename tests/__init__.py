
import os
import time

# Hermetic: an admin's shell may set WMS_DATABASE_URL, WMS_DATA_DIR, WMS_TERMINAL...; the suite
# sets what it needs itself, so every WMS_* variable but the suite's own WMS_TEST_* is cleared
# here, when the tests package is first imported, before any wms_tui module or a server or CLI
# the tests start can read it.
for _name in [n for n in os.environ if n.startswith("WMS_") and not n.startswith("WMS_TEST_")]:
    del os.environ[_name]

# The site's time zone defaults to the machine's (WMS_TIMEZONE unset): the suite runs on UTC
# whatever the machine says, and tests of other zones set WMS_TIMEZONE or TZ themselves.
os.environ["TZ"] = "UTC"
if hasattr(time, "tzset"):
    time.tzset()
