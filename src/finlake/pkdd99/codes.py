"""How PKDD'99 codes become Bronze codes, as data (the README's mapping table says why).

A source code missing from these maps is passed through unchanged (upper-cased), never guessed,
so Silver quarantines the row as UNKNOWN_CODE instead of the importer silently re-labelling it.
"""

from __future__ import annotations

# The extract is one delivery: the data ends on 1998-12-31, so it was taken on 1999-01-01.
EXTRACT_DATE = "1999-01-01"
EXTRACT_TIMESTAMP = f"{EXTRACT_DATE}T00:00:00"
CURRENCY = "CZK"  # Czech crowns, every amount in the data set

# loan.status encodes "finished?" and "went well?" (SOURCE.md); B and D are the usual "bad" label.
LOAN_STATUS = {
    "A": "PAID_OFF",  # finished, repaid
    "B": "CHARGED_OFF",  # finished, not repaid
    "C": "CURRENT",  # running, payments on time
    "D": "DEFAULT",  # running, client in debt
}

# The source carries neither the product nor the borrower's job: honest "we don't know" codes.
LOAN_TYPE = "OTHER"
EMPLOYMENT_STATUS = "UNKNOWN"
ACCOUNT_TYPE = "CHECKING"  # every Berka account is a current account with statements and payments
ACCOUNT_STATUS = "OPEN"  # the extract has no closing dates; accounts are open as far as it shows

# card.type -> segment; the highest-ranked card of a client's dispositions wins (first = highest).
CARD_SEGMENT = {
    "GOLD": "AFFLUENT",
    "JUNIOR": "YOUTH",  # junior cards were issued to clients born 1974-1982
    "CLASSIC": "MASS",
}
NO_CARD_SEGMENT = "MASS"

# disp.type -> disposition role: the owner, or a DISPONENT (a second person allowed to operate it).
DISPOSITION_ROLE = {"OWNER": "OWNER", "DISPONENT": "AUTHORISED_USER"}

# trans.type -> direction. VYBER ("withdrawal") is a rare third type; its money goes out.
DIRECTION = {"PRIJEM": "CREDIT", "VYDAJ": "DEBIT", "VYBER": "DEBIT"}

# trans.operation -> channel, for rows that are not bank-generated and not a standing order.
OPERATION_CHANNEL = {
    "VKLAD": "BRANCH",  # cash deposit: over the counter
    "VYBER": "BRANCH",  # cash withdrawal without a card (card withdrawals are coded apart)
    "VYBER KARTOU": "ATM",  # "vyber kartou": cash withdrawn with a card, i.e. at a cash machine
    "PREVOD Z UCTU": "TRANSFER",  # collection from another bank
    "PREVOD NA UCET": "TRANSFER",  # remittance to another bank
}
STANDING_ORDER_OPERATION = "PREVOD NA UCET"  # the operation a permanent order's payment is booked as
STANDING_ORDER_CHANNEL = "STANDING_ORDER"
SYSTEM_CHANNEL = "SYSTEM"
# Booked by the bank itself (interest, statement fees, penalty interest). The source books fees and
# penalty interest as operation VYBER (withdrawal) although no cash moves; an empty operation is
# bank-generated too.
BANK_GENERATED_K_SYMBOLS = ("UROK", "SLUZBY", "SANKC. UROK")

OPERATION_TEXT = {
    "VKLAD": "cash deposit",
    "VYBER": "cash withdrawal",
    "VYBER KARTOU": "credit card withdrawal",
    "PREVOD Z UCTU": "collection from another bank",
    "PREVOD NA UCET": "remittance to another bank",
}
STANDING_ORDER_TEXT = "standing order payment"
BANK_GENERATED_TEXT = "bank-generated"

K_SYMBOL_TEXT = {
    "POJISTNE": "insurance payment",
    "SLUZBY": "statement fee",
    "UROK": "interest credited",
    "SANKC. UROK": "penalty interest on a negative balance",
    "SIPO": "household payment",
    "DUCHOD": "old-age pension",
    "UVER": "loan instalment",
    "LEASING": "leasing",
}
