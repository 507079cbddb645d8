"""The Bronze contract: what the source systems deliver, declared once as data.

Files land as CSV (UTF-8, comma separated, header row, RFC 4180 quoting) under
`bronze/<entity>/ingest_date=YYYY-MM-DD/<any-name>.csv`. Every field is read as a string; the
`type` of a column is what Silver casts it to. Codes are compared after trimming and upper-casing,
so stray whitespace and lower-case codes are normalised, not rejected.
"""

from __future__ import annotations

from finlake.contracts.iso4217 import ACTIVE_CURRENCIES
from finlake.contracts.model import Column, Entity, ForeignKey, Reason, ReasonCatalog, RecordKind

MONEY = "decimal(18,2)"
RATE = "decimal(9,4)"
# Exposure, expected loss and the compliance thresholds are in this currency. The ECB's reference rates
# (fx_rates) are units per euro, so it is the euro: amounts are converted at their date (gold/fx.py).
REPORTING_CURRENCY = "EUR"
FX_RATE = "decimal(18,6)"  # ECB rates have 4-5 significant digits; up to 372274 (TRL) units per euro

GENDERS = ("F", "M", "X")  # X: not disclosed / other
EMPLOYMENT_STATUSES = ("EMPLOYED", "SELF_EMPLOYED", "UNEMPLOYED", "RETIRED", "STUDENT", "UNKNOWN")
SEGMENTS = ("MASS", "AFFLUENT", "PRIVATE", "YOUTH")
ACCOUNT_TYPES = ("CHECKING", "SAVINGS", "CREDIT_CARD")
ACCOUNT_STATUSES = ("OPEN", "CLOSED", "FROZEN")
CURRENCIES = ACTIVE_CURRENCIES  # every active ISO 4217 code (contracts/iso4217.py)
LOAN_TYPES = ("MORTGAGE", "PERSONAL", "AUTO", "STUDENT", "BUSINESS", "OTHER")
LOAN_STATUSES = ("CURRENT", "LATE", "DEFAULT", "PAID_OFF", "CHARGED_OFF")
DIRECTIONS = ("CREDIT", "DEBIT")
CHANNELS = ("ATM", "BRANCH", "CARD", "ONLINE", "TRANSFER", "DIRECT_DEBIT", "STANDING_ORDER", "SYSTEM")
DISPOSITION_ROLES = ("OWNER", "AUTHORISED_USER")  # PKDD'99's DISPONENT is an authorised (second) user
CARD_TYPES = ("JUNIOR", "CLASSIC", "GOLD")  # ascending class: Gold's card_class is the highest held

# Business meaning of the codes, used by Silver derivations and Gold.
DEFAULT_LOAN_STATUSES = ("DEFAULT", "CHARGED_OFF")  # either status counts as a default (the model's label)
OPEN_LOAN_STATUSES = ("CURRENT", "LATE", "DEFAULT")  # still carries exposure
CASH_CHANNELS = ("ATM", "BRANCH")  # cash moves over the counter or through a machine
# Feeds are delivered independently: a child (an account, a transaction) may arrive a day or two before
# its parent. Such a row is held in the quarantine as ORPHAN_FK and retried by every later run; it loads
# when its parent is known by its ingest_date + this many days, and is expired (ORPHAN_FK_EXPIRED added
# to its reasons) once the latest ingest_date a run processes is past that.
ORPHAN_RETRY_DAYS = 3

CUSTOMERS = Entity(
    name="customers",
    kind=RecordKind.CHANGE,
    key="customer_id",
    version_column="updated_at",
    description="Retail customers, as change records (the latest updated_at per customer is current).",
    columns=(
        Column("customer_id", "string", "Customer key.", required=True),
        Column("first_name", "string", "Given name.", pii=True),
        Column("last_name", "string", "Family name.", pii=True),
        Column("date_of_birth", "date", "Date of birth (YYYY-MM-DD).", required=True),
        Column("gender", "string", "Gender code.", required=True, codes=GENDERS),
        Column("email", "string", "E-mail address.", pii=True),
        Column("phone", "string", "Phone number.", pii=True),
        Column("street_address", "string", "Street and house number.", pii=True),
        Column("city", "string", "City of residence."),
        Column("district", "string", "District (region) of residence.", required=True),
        Column("postal_code", "string", "Postal code."),
        Column("annual_income", MONEY, "Declared gross annual income.", min_value=0, max_value=1e9),
        Column("employment_status", "string", "Employment status.", required=True, codes=EMPLOYMENT_STATUSES),
        Column("segment", "string", "Marketing segment.", required=True, codes=SEGMENTS),
        Column("customer_since", "date", "Date the relationship began.", required=True),
        Column("updated_at", "timestamp", "When this version of the record was made.", required=True),
    ),
)

ACCOUNTS = Entity(
    name="accounts",
    kind=RecordKind.CHANGE,
    key="account_id",
    version_column="updated_at",
    description="Deposit and card accounts, as change records.",
    foreign_keys=(ForeignKey("customer_id", "customers", "customer_id"),),
    orphan_retry_days=ORPHAN_RETRY_DAYS,
    columns=(
        Column("account_id", "string", "Account key.", required=True),
        Column("customer_id", "string", "Owning customer.", required=True),
        Column("account_type", "string", "Product type.", required=True, codes=ACCOUNT_TYPES),
        Column("currency", "string", "ISO 4217 currency code.", required=True, codes=CURRENCIES),
        Column("opened_date", "date", "Date opened.", required=True),
        Column("closed_date", "date", "Date closed (empty while open)."),
        Column("status", "string", "Account status.", required=True, codes=ACCOUNT_STATUSES),
        Column("credit_limit", MONEY, "Overdraft or card limit (may be empty).", min_value=0, max_value=1e8),
        Column("updated_at", "timestamp", "When this version of the record was made.", required=True),
    ),
)

LOANS = Entity(
    name="loans",
    kind=RecordKind.CHANGE,
    key="loan_id",
    version_column="updated_at",
    description="Loans, as change records; a loan is in default when its status is DEFAULT or CHARGED_OFF.",
    foreign_keys=(
        ForeignKey("customer_id", "customers", "customer_id"),
        ForeignKey("account_id", "accounts", "account_id"),
    ),
    orphan_retry_days=ORPHAN_RETRY_DAYS,
    columns=(
        Column("loan_id", "string", "Loan key.", required=True),
        Column("customer_id", "string", "Borrower.", required=True),
        Column("account_id", "string", "Account the loan is paid out to and repaid from.", required=True),
        Column("loan_type", "string", "Loan product.", required=True, codes=LOAN_TYPES),
        Column("principal", MONEY, "Amount lent.", required=True, min_value=0.01, max_value=1e9),
        Column("interest_rate", RATE, "Annual interest rate, percent.", required=True, min_value=0, max_value=100),
        Column("term_months", "int", "Term in months.", required=True, min_value=1, max_value=600),
        Column("origination_date", "date", "Date the loan was granted.", required=True),
        Column("maturity_date", "date", "Date of the last scheduled payment.", required=True),
        Column(
            "monthly_payment",
            MONEY,
            "Scheduled monthly instalment.",
            required=True,
            min_value=0,
            max_value=1e8,
        ),
        Column("status", "string", "Loan status.", required=True, codes=LOAN_STATUSES),
        Column("updated_at", "timestamp", "When this version of the record was made.", required=True),
    ),
)

TRANSACTIONS = Entity(
    name="transactions",
    kind=RecordKind.EVENT,
    key="transaction_id",
    event_time_column="booked_at",
    description="Booked account transactions, as events; a repeated transaction_id is a re-delivery.",
    foreign_keys=(ForeignKey("account_id", "accounts", "account_id"),),
    orphan_retry_days=ORPHAN_RETRY_DAYS,
    columns=(
        Column("transaction_id", "string", "Transaction key.", required=True),
        Column("account_id", "string", "Account booked on.", required=True),
        Column("booked_at", "timestamp", "Booking time (ISO-8601).", required=True),
        Column("amount", MONEY, "Amount, always positive.", required=True, min_value=0.01, max_value=1e9),
        Column("currency", "string", "ISO 4217 currency code.", required=True, codes=CURRENCIES),
        Column("direction", "string", "CREDIT (money in) or DEBIT (money out).", required=True, codes=DIRECTIONS),
        Column("channel", "string", "How the money moved.", required=True, codes=CHANNELS),
        Column("merchant_category", "string", "Merchant category for card spend (may be empty)."),
        Column("description", "string", "Free-text booking description."),
        Column(
            "balance_after",
            MONEY,
            "Account balance after booking (may be empty).",
            min_value=-1e9,
            max_value=1e9,
        ),
    ),
)

FX_RATES = Entity(
    name="fx_rates",
    kind=RecordKind.CHANGE,
    key="rate_id",
    version_column="published_at",
    description=(
        "Reference data: the ECB's euro foreign exchange reference rates, one per currency and TARGET "
        "business day (no EUR row: a euro is 1 euro). A corrected rate is re-delivered with a later "
        "published_at. Gold converts amounts at the latest rate on or before their date; before a "
        "currency's first rate it uses that first rate and flags the amount (`fx_estimated`)."
    ),
    columns=(
        Column("rate_id", "string", "Key: `<currency>:<rate_date>`, e.g. `CZK:1999-01-04`.", required=True),
        Column("rate_date", "date", "Day the rate is for.", required=True),
        Column("currency", "string", "ISO 4217 code the rate is for.", required=True, codes=CURRENCIES),
        Column("rate_per_eur", FX_RATE, "Units of `currency` per euro.", required=True, min_value=1e-6, max_value=1e9),
        Column("published_at", "timestamp", "When this version of the rate was published.", required=True),
    ),
)

DISPOSITIONS = Entity(
    name="dispositions",
    kind=RecordKind.CHANGE,
    key="disposition_id",
    version_column="updated_at",
    description=(
        "Who may operate an account: its OWNER and any AUTHORISED_USER (a second person with rights on "
        "it), as change records. Gold counts a disposition as held on a day when valid_from is empty or "
        "before it and valid_to is empty or on or after it (an undated one: held since the account opened)."
    ),
    foreign_keys=(
        ForeignKey("account_id", "accounts", "account_id"),
        ForeignKey("customer_id", "customers", "customer_id"),
    ),
    orphan_retry_days=ORPHAN_RETRY_DAYS,
    columns=(
        Column("disposition_id", "string", "Disposition key.", required=True),
        Column("account_id", "string", "Account the rights are on.", required=True),
        Column("customer_id", "string", "Person holding the rights.", required=True),
        Column("role", "string", "OWNER or AUTHORISED_USER.", required=True, codes=DISPOSITION_ROLES),
        Column("valid_from", "date", "Date the rights were granted (empty when the source does not say)."),
        Column("valid_to", "date", "Date the rights ended (empty while held)."),
        Column("updated_at", "timestamp", "When this version of the record was made.", required=True),
    ),
)

CARDS = Entity(
    name="cards",
    kind=RecordKind.CHANGE,
    key="card_id",
    version_column="updated_at",
    description=(
        "Payment cards, each issued to one disposition (a person on an account), as change records. No "
        "card number is delivered (it would be PII); a card is known from its issued_date on."
    ),
    foreign_keys=(ForeignKey("disposition_id", "dispositions", "disposition_id"),),
    orphan_retry_days=ORPHAN_RETRY_DAYS,
    columns=(
        Column("card_id", "string", "Card key.", required=True),
        Column("disposition_id", "string", "Disposition the card was issued to.", required=True),
        Column("card_type", "string", "Card product class.", required=True, codes=CARD_TYPES),
        Column("issued_date", "date", "Date the card was issued.", required=True),
        Column("updated_at", "timestamp", "When this version of the record was made.", required=True),
    ),
)

ENTITIES: dict[str, Entity] = {
    e.name: e for e in (CUSTOMERS, ACCOUNTS, LOANS, TRANSACTIONS, FX_RATES, DISPOSITIONS, CARDS)
}
# Parents before children: the order Silver processes entities in (fx_rates has no parents).
ENTITY_ORDER: tuple[str, ...] = ("customers", "accounts", "loans", "transactions", "fx_rates", "dispositions", "cards")

# Why a Bronze row did not reach Silver. A row gets every reason that applies to it, except that
# OUT_OF_RANGE is checked only on values that parsed and ORPHAN_FK only on rows otherwise valid;
# a MISSING_COLUMN or MALFORMED_ROW row gets only that reason (its fields cannot be trusted).
REASONS = ReasonCatalog(
    (
        Reason("MISSING_COLUMN", "The file lacks a contract column; all of its rows are held back."),
        Reason("MALFORMED_ROW", "The line could not be split into the header's fields."),
        Reason("BAD_ENCODING", "The line holds bytes that are not valid UTF-8."),
        Reason("MISSING_REQUIRED", "A required field is empty."),
        Reason("BAD_DATE", "A date or timestamp field does not parse."),
        Reason("BAD_NUMBER", "A numeric field does not parse."),
        Reason("UNKNOWN_CODE", "A code field holds a value outside its allowed codes."),
        Reason("OUT_OF_RANGE", "A number is outside its allowed range (e.g. a negative amount)."),
        Reason("ORPHAN_FK", "A parent key (customer, account) is unknown; held and retried while it may still arrive."),
        Reason(
            "ORPHAN_FK_EXPIRED",
            "Added to ORPHAN_FK once the parent is ORPHAN_RETRY_DAYS late: the row is no longer retried.",
        ),
    )
)

# Why a Bronze row was removed as a duplicate (counted, never quarantined).
DUPLICATE_KINDS = ReasonCatalog(
    (
        Reason("DUPLICATE_DELIVERY", "An event (transaction) already delivered, in this run or earlier."),
        Reason("SUPERSEDED", "A change record overtaken by a later one for the same key in the same run."),
    )
)
