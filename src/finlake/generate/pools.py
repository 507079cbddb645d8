"""Fixed vocabularies the synthetic bank draws from (names, places, merchants). All fictional."""

from __future__ import annotations

FEMALE_NAMES = (
    "Anna", "Maria", "Eva", "Lena", "Sofia", "Clara", "Julia", "Laura", "Nora", "Emma",
    "Hana", "Ines", "Petra", "Alice", "Marta", "Olivia", "Zoe", "Irene", "Vera", "Lucia",
)  # fmt: skip
MALE_NAMES = (
    "Jan", "Peter", "Tomas", "Lukas", "David", "Martin", "Paul", "Felix", "Adam", "Karel",
    "Marco", "Jonas", "Oskar", "Leon", "Simon", "Erik", "Hugo", "Viktor", "Milan", "Noah",
)  # fmt: skip
LAST_NAMES = (
    "Novak", "Svoboda", "Weber", "Meyer", "Fischer", "Rossi", "Bianchi", "Dubois", "Martin", "Moreau",
    "Jansen", "Visser", "Nowak", "Kowalski", "Horvath", "Nagy", "Berg", "Lind", "Costa", "Silva",
    "Keller", "Brunner", "Huber", "Wagner", "Schmid", "Dvorak", "Kral", "Benes", "Marek", "Urban",
    "Ferrari", "Romano", "Laurent", "Leroy", "Peeters", "Maes", "Olsen", "Hansen", "Jovanovic", "Popescu",
)  # fmt: skip
STREETS = (
    "Main", "Station", "Church", "Mill", "Park", "Garden", "River", "Castle", "Market", "School",
    "Oak", "Linden", "Chestnut", "Harbour", "Bridge", "Meadow", "Forest", "Hill", "Lake", "Spring",
)  # fmt: skip
EMAIL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example")

# District -> (weight, postal prefix, cities). Weights give a capital, big towns and a rural tail.
DISTRICTS = (
    ("Capital", 0.24, "10", ("Capital City",)),
    ("North Coast", 0.10, "21", ("Portmere", "Saltby")),
    ("South Valley", 0.09, "32", ("Vinegrove", "Lowford")),
    ("East Plains", 0.08, "43", ("Eastham", "Greyfield")),
    ("West Hills", 0.08, "54", ("Westbrook", "Stonehill")),
    ("Lakeland", 0.07, "61", ("Lakeside", "Mirewood")),
    ("Highlands", 0.06, "72", ("Highcrest", "Pinecross")),
    ("Riverside", 0.07, "83", ("Riverton", "Ferrybridge")),
    ("Midlands", 0.08, "64", ("Midtown", "Crossway")),
    ("Forest District", 0.05, "75", ("Oakhurst", "Elmstead")),
    ("Border Region", 0.04, "86", ("Marchford",)),
    ("Islands", 0.04, "97", ("Isleport",)),
)

# Card merchant categories: (code, weight, median amount, log-sd) and a few fictional merchants each.
MERCHANT_CATEGORIES = (
    ("GROCERIES", 0.34, 32.0, 0.7),
    ("RESTAURANTS", 0.14, 24.0, 0.6),
    ("FUEL", 0.09, 55.0, 0.4),
    ("RETAIL", 0.12, 45.0, 0.8),
    ("ONLINE_SHOPPING", 0.11, 38.0, 0.9),
    ("ENTERTAINMENT", 0.06, 28.0, 0.7),
    ("HEALTH", 0.05, 30.0, 0.8),
    ("TRAVEL", 0.04, 160.0, 0.9),
    ("TRANSPORT", 0.05, 12.0, 0.6),
)
MERCHANTS = {
    "GROCERIES": ("FRESHMART", "DAILY FOODS", "GREENGROCER CO", "VALUE SUPERSTORE"),
    "RESTAURANTS": ("CAFE CENTRAL", "PIZZA PRONTO", "THE OLD MILL INN", "SUSHI GO"),
    "FUEL": ("PETROLINE", "FUELSTOP", "GREENCHARGE"),
    "RETAIL": ("CITY DEPARTMENT STORE", "HOMEWARE PLUS", "FASHION HOUSE", "BOOKNOOK"),
    "ONLINE_SHOPPING": ("WEBSHOP.EXAMPLE", "MARKETPLACE.EXAMPLE", "STREAMFLIX"),
    "ENTERTAINMENT": ("CINEPLEX", "CITY THEATRE", "ARENA TICKETS"),
    "HEALTH": ("PHARMACY 24", "DENTAL CLINIC", "OPTICS WORLD"),
    "TRAVEL": ("SKYAIR", "RAILWAYS", "HOTEL BOOKING.EXAMPLE"),
    "TRANSPORT": ("CITY TRANSIT", "TAXI NOW", "PARKING METER"),
}
EMPLOYERS = (
    "ACME INDUSTRIES", "NORTHWIND LTD", "CITY COUNCIL", "GENERAL HOSPITAL", "TECHNOVA", "GLOBEX",
    "STATE UNIVERSITY", "RIVERSIDE LOGISTICS", "BLUE SKY RETAIL", "HILLTOP FOODS",
)  # fmt: skip
