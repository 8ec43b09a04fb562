"""Word lists of the sample-data generator: names, cities, phones, channels, texts.

Everything here is a plain, ordered constant (tuples and dicts built from
literals) so that the generator never depends on set or hash ordering.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CountryVocab:
    """Names, cities and phone conventions of one country.

    Attributes:
        weight: Share of customers (and anonymous visitors) from the country.
        female: Given names for women.
        male: Given names for men.
        last: Family names.
        cities: Cities, most populous first.
        domains: Email domains, most common first.
        trunk: National trunk prefix written before national numbers.
        prefixes: Leading digits of mobile national significant numbers.
        nsn_length: Digits of the national significant number.
        national: Grouping of the national notation (``#`` = one NSN digit).
        international: Grouping after ``+<calling code> `` (``#`` = one digit).
    """

    weight: float
    female: tuple[str, ...]
    male: tuple[str, ...]
    last: tuple[str, ...]
    cities: tuple[str, ...]
    domains: tuple[str, ...]
    trunk: str
    prefixes: tuple[str, ...]
    nsn_length: int
    national: str
    international: str


# fmt: off
COUNTRY_VOCAB: dict[str, CountryVocab] = {
    "FR": CountryVocab(
        0.10,
        ("Marie", "Camille", "Léa", "Manon", "Chloé", "Inès", "Sarah", "Julie", "Émilie",
         "Claire", "Sophie", "Anaïs"),
        ("Lucas", "Hugo", "Louis", "Jules", "Thomas", "Nicolas", "Julien", "Antoine", "Maxime",
         "Pierre", "Théo", "François"),
        ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
         "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "Fournier"),
        ("Paris", "Marseille", "Lyon", "Toulouse", "Nice", "Nantes", "Strasbourg", "Bordeaux",
         "Lille", "Montpellier"),
        ("gmail.com", "orange.fr", "free.fr", "laposte.net", "hotmail.fr", "yahoo.fr"),
        "0", ("6", "7"), 9, "0# ## ## ## ##", "# ## ## ## ##",
    ),
    "DE": CountryVocab(
        0.11,
        ("Anna", "Lena", "Laura", "Julia", "Sarah", "Lea", "Hannah", "Katharina", "Sophie",
         "Lisa", "Jana", "Jessica"),
        ("Lukas", "Jonas", "Leon", "Felix", "Maximilian", "Paul", "Tim", "Jan", "Niklas",
         "Tobias", "Stefan", "Jürgen"),
        ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
         "Schulz", "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann"),
        ("Berlin", "Hamburg", "München", "Köln", "Frankfurt am Main", "Stuttgart", "Düsseldorf",
         "Leipzig", "Dortmund", "Bremen"),
        ("gmail.com", "web.de", "gmx.de", "t-online.de", "outlook.de"),
        "0", ("151", "152", "160", "170", "171", "176", "179"), 11, "0### ########",
        "### ########",
    ),
    "GB": CountryVocab(
        0.10,
        ("Olivia", "Amelia", "Isla", "Ava", "Emily", "Sophie", "Grace", "Charlotte", "Lucy",
         "Hannah", "Jessica", "Chloe"),
        ("Oliver", "George", "Harry", "Jack", "Jacob", "Charlie", "Thomas", "James", "William",
         "Daniel", "Samuel", "Joshua"),
        ("Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
         "Johnson", "Roberts", "Walker", "Wright", "Robinson", "Thompson", "Hughes"),
        ("London", "Manchester", "Birmingham", "Leeds", "Glasgow", "Liverpool", "Bristol",
         "Edinburgh", "Sheffield", "Cardiff"),
        ("gmail.com", "hotmail.co.uk", "outlook.com", "btinternet.com", "yahoo.co.uk"),
        "0", ("7700", "7711", "7722", "7800", "7911", "7958"), 10, "0#### ######", "#### ######",
    ),
    "ES": CountryVocab(
        0.06,
        ("Lucía", "María", "Paula", "Laura", "Marta", "Sofía", "Carmen", "Elena", "Ana", "Alba",
         "Irene", "Sara"),
        ("Hugo", "Daniel", "Pablo", "Alejandro", "Javier", "David", "Carlos", "Sergio", "Álvaro",
         "Diego", "Manuel", "Jorge"),
        ("García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez",
         "Gómez", "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz"),
        ("Madrid", "Barcelona", "Valencia", "Sevilla", "Zaragoza", "Málaga", "Bilbao", "Murcia",
         "Palma", "Alicante"),
        ("gmail.com", "hotmail.es", "yahoo.es", "telefonica.net", "outlook.es"),
        "", ("6", "7"), 9, "### ### ###", "### ### ###",
    ),
    "IT": CountryVocab(
        0.06,
        ("Giulia", "Sofia", "Aurora", "Alice", "Ginevra", "Emma", "Giorgia", "Beatrice",
         "Francesca", "Chiara", "Martina", "Sara"),
        ("Leonardo", "Francesco", "Alessandro", "Lorenzo", "Mattia", "Andrea", "Gabriele",
         "Riccardo", "Tommaso", "Marco", "Luca", "Matteo"),
        ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
         "Marino", "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Costa", "Giordano"),
        ("Roma", "Milano", "Napoli", "Torino", "Palermo", "Genova", "Bologna", "Firenze", "Bari",
         "Verona"),
        ("gmail.com", "libero.it", "virgilio.it", "hotmail.it", "alice.it"),
        "", ("32", "33", "34", "35", "36", "38"), 10, "### ### ####", "### ### ####",
    ),
    "NL": CountryVocab(
        0.04,
        ("Emma", "Julia", "Sophie", "Tess", "Anna", "Sanne", "Lotte", "Fleur", "Eva", "Lisa",
         "Femke", "Noor"),
        ("Daan", "Sem", "Lucas", "Levi", "Finn", "Bram", "Jesse", "Thijs", "Ruben", "Lars",
         "Sven", "Joost"),
        ("de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen",
         "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters"),
        ("Amsterdam", "Rotterdam", "Den Haag", "Utrecht", "Eindhoven", "Groningen", "Tilburg",
         "Almere", "Breda", "Nijmegen"),
        ("gmail.com", "ziggo.nl", "kpnmail.nl", "hotmail.nl", "outlook.com"),
        "0", ("6",), 9, "0# ########", "# ########",
    ),
    "BE": CountryVocab(
        0.03,
        ("Emma", "Louise", "Olivia", "Elise", "Marie", "Lotte", "Julie", "Charlotte", "Nina",
         "Camille", "Lien", "Manon"),
        ("Noah", "Louis", "Arthur", "Lucas", "Liam", "Jules", "Adam", "Victor", "Wout",
         "Thibault", "Pieter", "Maxime"),
        ("Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens",
         "Wouters", "De Smet", "Dubois", "Lambert", "Dupont", "Martin", "Vermeulen", "Leclercq"),
        ("Bruxelles", "Antwerpen", "Gent", "Charleroi", "Liège", "Brugge", "Namur", "Leuven",
         "Mons", "Mechelen"),
        ("gmail.com", "skynet.be", "telenet.be", "hotmail.be", "outlook.com"),
        "0", ("47", "48", "49"), 9, "0### ## ## ##", "### ## ## ##",
    ),
    "CH": CountryVocab(
        0.03,
        ("Mia", "Emma", "Lina", "Sofia", "Laura", "Anna", "Lea", "Nina", "Elena", "Chiara",
         "Sarah", "Léa"),
        ("Noah", "Liam", "Luca", "Gabriel", "Leon", "Elias", "Samuel", "Lukas", "Nico", "Reto",
         "Urs", "Beat"),
        ("Müller", "Meier", "Schmid", "Keller", "Weber", "Huber", "Schneider", "Meyer", "Steiner",
         "Fischer", "Gerber", "Brunner", "Baumann", "Frei", "Zimmermann", "Moser"),
        ("Zürich", "Genève", "Basel", "Lausanne", "Bern", "Winterthur", "Luzern", "St. Gallen",
         "Lugano", "Biel/Bienne"),
        ("gmail.com", "bluewin.ch", "gmx.ch", "sunrise.ch", "outlook.com"),
        "0", ("76", "77", "78", "79"), 9, "0## ### ## ##", "## ### ## ##",
    ),
    "US": CountryVocab(
        0.18,
        ("Emma", "Olivia", "Ava", "Isabella", "Sophia", "Mia", "Abigail", "Emily", "Madison",
         "Elizabeth", "Ashley", "Jennifer"),
        ("Liam", "Noah", "James", "William", "Benjamin", "Michael", "Ethan", "Daniel", "Matthew",
         "David", "Christopher", "Joshua"),
        ("Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Garcia",
         "Rodriguez", "Wilson", "Martinez", "Anderson", "Taylor", "Thomas", "Moore", "Jackson"),
        ("New York", "Los Angeles", "Chicago", "Houston", "Phoenix", "Philadelphia",
         "San Antonio", "San Diego", "Dallas", "Seattle", "Boston", "Denver"),
        ("gmail.com", "yahoo.com", "outlook.com", "aol.com", "icloud.com", "hotmail.com"),
        "", ("212", "415", "312", "617", "206", "305", "512", "303", "713", "602"), 10,
        "(###) ###-####", "### ### ####",
    ),
    "CA": CountryVocab(
        0.05,
        ("Olivia", "Emma", "Charlotte", "Amelia", "Chloé", "Sophie", "Emily", "Léa", "Ava",
         "Madison", "Gabrielle", "Hannah"),
        ("Liam", "Noah", "William", "Benjamin", "Lucas", "Logan", "Jacob", "Nathan", "Félix",
         "Samuel", "Ethan", "Alexandre"),
        ("Smith", "Brown", "Tremblay", "Martin", "Roy", "Wilson", "MacDonald", "Gagnon",
         "Johnson", "Taylor", "Côté", "Campbell", "Anderson", "Leblanc", "Lee", "Bouchard"),
        ("Toronto", "Montréal", "Vancouver", "Calgary", "Edmonton", "Ottawa", "Winnipeg",
         "Québec", "Hamilton", "Halifax"),
        ("gmail.com", "yahoo.ca", "outlook.com", "hotmail.com", "rogers.com", "videotron.ca"),
        "", ("416", "604", "514", "403", "613", "902", "780", "647"), 10, "(###) ###-####",
        "### ### ####",
    ),
    "BR": CountryVocab(
        0.06,
        ("Maria", "Ana", "Juliana", "Fernanda", "Beatriz", "Larissa", "Camila", "Gabriela",
         "Letícia", "Mariana", "Amanda", "Bruna"),
        ("João", "Pedro", "Lucas", "Gabriel", "Mateus", "Rafael", "Guilherme", "Felipe",
         "Gustavo", "Bruno", "Thiago", "Rodrigo"),
        ("Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira",
         "Lima", "Gomes", "Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Araújo"),
        ("São Paulo", "Rio de Janeiro", "Brasília", "Salvador", "Fortaleza", "Belo Horizonte",
         "Manaus", "Curitiba", "Recife", "Porto Alegre"),
        ("gmail.com", "hotmail.com", "yahoo.com.br", "uol.com.br", "bol.com.br"),
        "", ("119", "219", "319", "419", "519", "619", "719", "819"), 11, "(##) #####-####",
        "## ##### ####",
    ),
    "MX": CountryVocab(
        0.05,
        ("María", "Guadalupe", "Sofía", "Valentina", "Ximena", "Fernanda", "Daniela", "Andrea",
         "Mariana", "Regina", "Alejandra", "Camila"),
        ("José", "Juan", "Luis", "Carlos", "Jesús", "Miguel", "Santiago", "Diego", "Emiliano",
         "Mateo", "Alejandro", "Fernando"),
        ("Hernández", "García", "Martínez", "López", "González", "Pérez", "Rodríguez", "Sánchez",
         "Ramírez", "Cruz", "Flores", "Gómez", "Morales", "Vázquez", "Reyes", "Jiménez"),
        ("Ciudad de México", "Guadalajara", "Monterrey", "Puebla", "Tijuana", "León", "Mérida",
         "Querétaro", "Cancún", "Toluca"),
        ("gmail.com", "hotmail.com", "outlook.com", "yahoo.com.mx", "prodigy.net.mx"),
        "", ("55", "33", "81", "222", "664", "477"), 10, "## #### ####", "## #### ####",
    ),
    "JP": CountryVocab(
        0.04,
        ("Yui", "Aoi", "Sakura", "Hina", "Yuna", "Mio", "Haruka", "Yuki", "Misaki", "Nanami",
         "Aya", "Emi"),
        ("Haruto", "Sota", "Yuto", "Riku", "Hiroshi", "Takumi", "Kenta", "Daiki", "Shota",
         "Kaito", "Ren", "Takeshi"),
        ("Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura",
         "Kobayashi", "Kato", "Yoshida", "Yamada", "Sasaki", "Yamaguchi", "Matsumoto", "Inoue"),
        ("Tokyo", "Yokohama", "Osaka", "Nagoya", "Sapporo", "Fukuoka", "Kobe", "Kyoto",
         "Kawasaki", "Sendai"),
        ("gmail.com", "yahoo.co.jp", "docomo.ne.jp", "icloud.com", "outlook.jp"),
        "0", ("90", "80", "70"), 10, "0##-####-####", "##-####-####",
    ),
    "IN": CountryVocab(
        0.06,
        ("Aadhya", "Ananya", "Diya", "Priya", "Saanvi", "Isha", "Kavya", "Neha", "Pooja", "Riya",
         "Sneha", "Divya"),
        ("Aarav", "Vivaan", "Aditya", "Arjun", "Rohan", "Rahul", "Amit", "Vikram", "Karan",
         "Sanjay", "Rajesh", "Ishaan"),
        ("Sharma", "Verma", "Gupta", "Singh", "Kumar", "Patel", "Reddy", "Iyer", "Nair", "Mehta",
         "Joshi", "Rao", "Das", "Chopra", "Malhotra", "Agarwal"),
        ("Mumbai", "Delhi", "Bengaluru", "Hyderabad", "Chennai", "Kolkata", "Pune", "Ahmedabad",
         "Jaipur", "Lucknow"),
        ("gmail.com", "yahoo.co.in", "rediffmail.com", "outlook.com", "hotmail.com"),
        "0", ("98", "97", "96", "91", "88", "79", "70"), 10, "##### #####", "##### #####",
    ),
    "AU": CountryVocab(
        0.03,
        ("Charlotte", "Olivia", "Amelia", "Isla", "Mia", "Ava", "Grace", "Chloe", "Sophie",
         "Emily", "Zoe", "Ruby"),
        ("Oliver", "Jack", "William", "Noah", "Thomas", "James", "Lucas", "Henry", "Ethan",
         "Lachlan", "Cooper", "Riley"),
        ("Smith", "Jones", "Williams", "Brown", "Wilson", "Taylor", "Johnson", "White", "Martin",
         "Anderson", "Thompson", "Nguyen", "Ryan", "Walker", "Kelly", "Harris"),
        ("Sydney", "Melbourne", "Brisbane", "Perth", "Adelaide", "Gold Coast", "Canberra",
         "Newcastle", "Hobart", "Darwin"),
        ("gmail.com", "bigpond.com", "outlook.com", "optusnet.com.au", "icloud.com"),
        "0", ("4",), 9, "0### ### ###", "### ### ###",
    ),
}
# fmt: on

#: Genders as entered, with their share (the rest of the names are drawn accordingly).
GENDERS: tuple[str, ...] = ("Female", "Male", "Non-binary", "Prefer not to say")
GENDER_WEIGHTS: tuple[float, ...] = (0.485, 0.485, 0.015, 0.015)
#: Other spellings of Female / Male seen in the export.
GENDER_SPELLINGS: dict[str, tuple[str, ...]] = {
    "Female": ("F", "female", "f", "FEMALE"),
    "Male": ("M", "male", "m", "MALE"),
    "Non-binary": ("non-binary", "NB"),
    "Prefer not to say": ("prefer not to say", "n.s."),
}

# --- web analytics -----------------------------------------------------------------------

TRAFFIC_SOURCES: tuple[str, ...] = (
    "Email",
    "Adwords",
    "Facebook",
    "Instagram",
    "YouTube",
    "Affiliate",
    "Organic",
    "Direct",
)
#: Channel mix of sessions that end with a purchase (closing channels dominate).
SOURCE_WEIGHTS_PURCHASE: tuple[float, ...] = (0.18, 0.18, 0.06, 0.05, 0.03, 0.06, 0.22, 0.22)
#: Channel mix of the earlier visits of a buyer (awareness channels dominate).
SOURCE_WEIGHTS_TOUCH: tuple[float, ...] = (0.10, 0.15, 0.18, 0.15, 0.14, 0.08, 0.12, 0.08)
#: Channel mix of every other session.
SOURCE_WEIGHTS_OTHER: tuple[float, ...] = (0.06, 0.16, 0.10, 0.08, 0.07, 0.07, 0.28, 0.18)
#: utm_source per traffic source (Affiliate picks one of several networks).
UTM_SOURCES: dict[str, tuple[str, ...]] = {
    "Email": ("newsletter",),
    "Adwords": ("google",),
    "Facebook": ("facebook",),
    "Instagram": ("instagram",),
    "YouTube": ("youtube",),
    "Affiliate": ("awin", "cj", "tradedoubler"),
    "Organic": ("google", "bing", "duckduckgo"),
    "Direct": ("(direct)",),
}
UTM_MEDIUMS: dict[str, str] = {
    "Email": "email",
    "Adwords": "cpc",
    "Facebook": "paid_social",
    "Instagram": "paid_social",
    "YouTube": "video",
    "Affiliate": "affiliate",
    "Organic": "organic",
    "Direct": "(none)",
}
BROWSERS: tuple[str, ...] = ("Chrome", "Safari", "Firefox", "Edge", "Samsung Internet")
BROWSER_WEIGHTS: tuple[float, ...] = (0.60, 0.25, 0.06, 0.06, 0.03)
DEVICES: tuple[str, ...] = ("mobile", "desktop", "tablet")
DEVICE_WEIGHTS: tuple[float, ...] = (0.58, 0.36, 0.06)

# --- campaigns --------------------------------------------------------------------------

CAMPAIGN_TYPES: tuple[str, ...] = ("Email", "Social", "Search", "Display", "Affiliate", "Video")
CAMPAIGN_TYPE_WEIGHTS: tuple[float, ...] = (0.20, 0.22, 0.20, 0.14, 0.10, 0.14)
#: Median impressions (emails delivered for Email) per campaign type.
CAMPAIGN_IMPRESSIONS: tuple[float, ...] = (40_000, 400_000, 120_000, 1_200_000, 80_000, 500_000)
#: Mean click-through rate per campaign type.
CAMPAIGN_CTR: tuple[float, ...] = (0.025, 0.012, 0.035, 0.005, 0.015, 0.008)
#: Duration range in days per campaign type.
CAMPAIGN_DAYS: tuple[tuple[int, int], ...] = (
    (7, 30),
    (14, 60),
    (30, 120),
    (14, 60),
    (30, 120),
    (14, 45),
)
#: Themes of campaign names by start month (1..12).
CAMPAIGN_THEMES: dict[int, tuple[str, ...]] = {
    1: ("New Year", "Winter Sale"),
    2: ("Valentine's Day", "Winter Sale"),
    3: ("Spring Launch", "Easter"),
    4: ("Easter", "Spring Launch"),
    5: ("Mother's Day", "Spring Deals"),
    6: ("Summer Sale", "Father's Day"),
    7: ("Summer Sale", "Prime Days"),
    8: ("Back to School", "Summer Clearance"),
    9: ("Back to School", "Autumn Deals"),
    10: ("Halloween", "Autumn Deals"),
    11: ("Black Friday", "Cyber Monday"),
    12: ("Christmas", "Last-Minute Gifts"),
}

# --- transactions -------------------------------------------------------------------------

PAYMENT_METHODS: tuple[str, ...] = (
    "credit_card",
    "paypal",
    "debit_card",
    "apple_pay",
    "bank_transfer",
    "klarna",
)
PAYMENT_WEIGHTS: tuple[float, ...] = (0.45, 0.25, 0.15, 0.08, 0.04, 0.03)
PAYMENT_SPELLINGS: dict[str, tuple[str, ...]] = {
    "credit_card": ("Credit Card", "credit card", "CREDIT_CARD", "creditcard"),
    "paypal": ("PayPal", "Paypal", "PAYPAL"),
    "debit_card": ("Debit Card", "debit card", "DEBIT_CARD"),
    "apple_pay": ("Apple Pay", "applepay"),
    "bank_transfer": ("Bank Transfer", "wire transfer"),
    "klarna": ("Klarna", "KLARNA"),
}

# --- daily feeds -------------------------------------------------------------------------

PLATFORMS: tuple[str, ...] = ("TikTok", "Instagram", "YouTube", "X", "Reddit", "Facebook")
#: Median daily mentions of one topic per platform.
PLATFORM_MENTIONS: tuple[float, ...] = (400.0, 250.0, 90.0, 160.0, 60.0, 120.0)
#: Engagements (likes, shares, comments) per post per platform.
PLATFORM_ENGAGEMENT: tuple[float, ...] = (140.0, 90.0, 220.0, 18.0, 30.0, 35.0)
TREND_CATEGORIES: tuple[str, ...] = ("meme", "entertainment", "drama", "news", "review")
TOPICS: dict[str, tuple[str, ...]] = {
    "Audio": (
        "#earbudscheck",
        "#audiophile",
        "#noisecancelling",
        "#soundtest",
        "#bassboost",
        "#headphonereview",
    ),
    "Electronics": (
        "#techtok",
        "#unboxing",
        "#gadgets",
        "#smartwatch",
        "#phonehacks",
        "#setupwars",
    ),
    "Computers": (
        "#desksetup",
        "#mechanicalkeyboard",
        "#wfh",
        "#battlestation",
        "#productivity",
        "#pcbuild",
    ),
    "Home & Kitchen": (
        "#airfryerrecipes",
        "#kitchenhacks",
        "#coffeetok",
        "#cleantok",
        "#homedecor",
        "#mealprep",
    ),
    "Beauty": ("#skincare", "#glowup", "#grwm", "#haircare", "#beautyhacks", "#serum"),
    "Sports & Outdoors": ("#running", "#yoga", "#camping", "#fitnessjourney", "#hiking", "#gymtok"),
    "Fashion": ("#ootd", "#streetstyle", "#thrifted", "#denim", "#sneakerhead", "#capsulewardrobe"),
    "Toys & Games": (
        "#boardgames",
        "#lego",
        "#rccar",
        "#puzzletok",
        "#toyreview",
        "#familygamenight",
    ),
    "Books": (
        "#booktok",
        "#bookreview",
        "#cookbook",
        "#readingchallenge",
        "#kidsbooks",
        "#bookhaul",
    ),
}
#: Marketplaces in the order they are added as the scale grows (all Latin-1 encodable).
MARKETPLACES: tuple[str, ...] = (
    "Amazon",
    "El Corte Inglés",
    "Cdiscount",
    "eBay",
    "Otto",
    "Zalando",
    "bol.com",
    "Fnac",
    "Kaufland",
    "Galaxus",
    "Allegro",
    "Mercado Libre",
    "Rakuten",
    "Manor",
    "Bücherstube Online",
    "Marché Vert",
    "Señor Precio",
    "Großhandel Plus",
)
#: Suffixes of country storefronts used once the plain names are exhausted.
MARKETPLACE_STOREFRONTS: tuple[str, ...] = (
    "DE",
    "FR",
    "ES",
    "IT",
    "NL",
    "BE",
    "AT",
    "CH",
    "PL",
    "SE",
    "PT",
    "IE",
    "DK",
    "FI",
    "CZ",
)

# --- reviews -----------------------------------------------------------------------------

TITLES: dict[int, tuple[str, ...]] = {
    1: ("Very disappointed", "Do not buy", "Waste of money", "Terrible"),
    2: ("Not great", "Disappointing", "Expected more", "Meh"),
    3: ("It's okay", "Average", "Does the job", "Mixed feelings"),
    4: ("Good product", "Pretty good", "Happy with it", "Solid choice"),
    5: ("Excellent!", "Love it", "Perfect", "Highly recommend"),
}
OPENERS: dict[int, tuple[str, ...]] = {
    1: ("I regret buying the {p}.", "The {p} was a big letdown."),
    2: ("The {p} is below what I expected.", "Not really happy with the {p}."),
    3: ("The {p} is fine for the price.", "The {p} does what it says, nothing more."),
    4: ("I'm happy with the {p}.", "The {p} works well."),
    5: ("The {p} is fantastic.", "Best purchase this year: the {p}."),
}
TAG_SENTENCES: dict[str, tuple[str, ...]] = {
    "battery": (
        "The battery barely lasts two hours.",
        "Battery life is far below what was advertised.",
        "Battery drains even when switched off.",
    ),
    "shipping": ("Delivery took almost two weeks.", "The parcel arrived late."),
    "broken": ("It arrived broken.", "Stopped working after a few days."),
    "size": ("The size runs small.", "Had to return it for a bigger size."),
    "price": ("Too expensive for what it is.", "Overpriced."),
    "quality": ("Build quality feels cheap.", "Great build quality."),
    "sound": ("The sound is tinny.", "Sound is clear and balanced."),
    "comfort": ("Not comfortable after an hour.", "Very comfortable."),
    "value": ("Great value for money.", "Worth every cent."),
    "gift": ("Bought it as a gift and they loved it.",),
    "delivery": ("Arrived the next day.", "Fast delivery."),
}
NEGATIVE_TAGS: tuple[str, ...] = ("shipping", "broken", "quality", "price")
POSITIVE_TAGS: tuple[str, ...] = ("quality", "value", "gift", "delivery")

# --- defects --------------------------------------------------------------------------------

INVALID_PHONES: tuple[str, ...] = ("12345", "000000000", "not provided", "+0", "123-45", "tbd")
STRAY_TEXT: tuple[str, ...] = (
    "connected to: mongodb://localhost/",
    "Failed: error reading from cursor: connection reset by peer",
    "-- export resumed --",
    "WARNING: document too large, skipped",
    "<html><body>502 Bad Gateway</body></html>",
)
