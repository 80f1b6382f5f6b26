"""Defaults for every installation. No secrets here: production sets them in the environment.

Load order (lti_tool/settings.py): this file, then the file named by LTI_TOOL_SETTINGS,
then LTI_TOOL_* environment variables, then the test mapping.
"""

# "development" runs with generated keys and a default secret; "production" refuses both.
ENV = "development"
SECRET_KEY = "dev-only-not-secret"

# SQLite under instance/ unless DATABASE_URL is given (postgresql+psycopg://...).
SQLALCHEMY_DATABASE_URI = None
# hide_parameters: SQL errors in the log never carry row values (names, emails, launch claims).
SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True, "hide_parameters": True}
# PostgreSQL only: seconds to wait for a connection before answering 503.
DATABASE_CONNECT_TIMEOUT_SECONDS = 5

# Largest request body accepted (uploaded import files, forms), in bytes; larger ones get a
# 413 page. Environment: LTI_TOOL_MAX_CONTENT_LENGTH=10000000.
MAX_CONTENT_LENGTH = 8 * 1024 * 1024

# Public base URL of the tool, used in registrations and in /lti/setup. None: from the request.
TOOL_BASE_URL = None
TOOL_NAME = "Mastery Tracker"
TOOL_DESCRIPTION = "Standards-based mastery tracking with summary grades sent to your gradebook."

# Folder of the tool's private keys (PEM, 0600, git-ignored). Relative paths are from the repo.
KEY_DIR = "keys"

# Outbound calls (platform JWKS, dynamic registration, services).
HTTP_TIMEOUT_SECONDS = 5.0
# Grade posts in flight per platform registration (Canvas throttles per client id).
AGS_MAX_CONCURRENT_CALLS = 4
# The worker re-reads each course's roster (NRPS) this often, and on its first launch.
ROSTER_SYNC_HOURS = 24
# LMS columns aligned to standards are read back this often; 0 = only on "Sync from LMS".
LMS_RESULTS_SYNC_MINUTES = 0
# A course's dates are shown and entered in its time zone: the one an instructor's launch
# sends ($Person.address.timezone), or one a teacher picks, else this IANA name.
DEFAULT_TIME_ZONE = "UTC"
HTTP_USER_AGENT = "MasteryTracker-LTI/0.1 (+https://github.com/)"
# Private and loopback addresses are refused unless this is on (on-premises Moodle, the demo).
LTI_TOOL_ALLOW_PRIVATE_NETWORK = False
# Plain http for registration, key-set and service URLs: development and tests only. In
# production (ENV = "production") it reaches only this machine (loopback), whatever this says.
LTI_TOOL_ALLOW_INSECURE_HTTP = False

# A course concluded (in the platform) longer ago than this many days loses its students'
# activity — evidence, levels, exemptions, waiting grades, share links, audit events — in the
# worker (services/retention.py); None keeps them until the registration is purged.
RETENTION_DAYS = None

# Launch lifetimes.
LOGIN_STATE_TTL_SECONDS = 600
LAUNCH_TTL_SECONDS = 8 * 3600
ID_TOKEN_LEEWAY_SECONDS = 60
PLATFORM_JWKS_TTL_SECONDS = 3600
# An unknown kid refetches the platform's key set at most this often.
PLATFORM_JWKS_REFETCH_SECONDS = 5.0

LOG_LEVEL = "INFO"
# "json" (one object per line) or "text"; None: json when ENV is production, text otherwise.
LOG_FORMAT = None

# /readyz answers from a per-process cache this long, so load balancer probes stay cheap.
READYZ_CACHE_SECONDS = 2.0

# Rate limits as [requests, window seconds], counted in the database (shared by every process);
# None turns one off. Schools sit behind one address (DESIGN.md correction 13): launches are
# limited per registration, never per address; only the unauthenticated endpoints are limited
# per address, and generously.
RATE_LIMIT_LAUNCH_PER_REGISTRATION = [6000, 60]
RATE_LIMIT_LOGIN_PER_ADDRESS = [1200, 60]
RATE_LIMIT_REGISTER_PER_ADDRESS = [60, 600]
# Share links opened by families (no account): a page and its stylesheet per view.
RATE_LIMIT_SHARE_PER_ADDRESS = [120, 60]
# Sign-in attempts at the installation console (/install/login), counted per address and per
# account email: few, since each guesses a password.
RATE_LIMIT_INSTALL_LOGIN = [10, 300]

# The installation console's session (a signed first-party cookie): it ends after this long
# without a request, and in any case this long after signing in.
INSTALL_SESSION_IDLE_SECONDS = 8 * 3600
INSTALL_SESSION_MAX_SECONDS = 24 * 3600

# Number of trusted proxies in front of the tool (X-Forwarded-For/Proto/Host/Port); 0 = none.
TRUSTED_PROXY_COUNT = 0
# Extra origins allowed to frame the tool (e.g. a Canvas vanity domain): a list of origins.
FRAME_ANCESTORS_EXTRA: list = []
