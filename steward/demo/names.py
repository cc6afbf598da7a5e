"""Word lists for the demo data (steward.demo.generator): common given and family names, cities and
streets of several European countries. Combined at random they make invented people; the
email addresses built from them are all at example.com / example.org.

Shipped as plain lists because Faker is a development dependency, and `steward run` loads
demo data on a production install too."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Locale:
    """Names and places of one country, and the language its people are written to in."""

    country: str
    language: str
    given_names: tuple[str, ...]
    family_names: tuple[str, ...]
    cities: tuple[tuple[str, str], ...]  # (city, postal code prefix)
    streets: tuple[str, ...]
    company_words: tuple[str, ...]
    company_suffix: str


LOCALES: tuple[Locale, ...] = (
    Locale(
        country="DE",
        language="de",
        given_names=(
            "Anna", "Lena", "Marie", "Sophie", "Katharina", "Julia", "Hannah", "Laura",
            "Jonas", "Lukas", "Felix", "Maximilian", "Paul", "Tobias", "Moritz", "Jan",
            "Sabine", "Petra", "Claudia", "Thomas", "Michael", "Stefan", "Andreas", "Uwe",
        ),
        family_names=(
            "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
            "Schulz", "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
            "Schwarz", "Zimmermann", "Braun", "Krüger", "Hartmann", "Lange", "Werner", "Krause",
        ),
        cities=(
            ("Berlin", "10"), ("Hamburg", "20"), ("München", "80"), ("Köln", "50"),
            ("Frankfurt am Main", "60"), ("Stuttgart", "70"), ("Leipzig", "04"),
            ("Dresden", "01"), ("Bremen", "28"), ("Freiburg", "79"),
        ),
        streets=(
            "Hauptstraße", "Bahnhofstraße", "Gartenweg", "Lindenallee", "Schillerstraße",
            "Goethestraße", "Am Markt", "Kirchgasse", "Bergstraße", "Rosenweg",
        ),
        company_words=(
            "Nordwind", "Sonnenfeld", "Elbtal", "Brückner", "Alpenblick", "Rheinwerk",
            "Kranich", "Lindenhof", "Feldmark", "Taunus",
        ),
        company_suffix="GmbH",
    ),
    Locale(
        country="FR",
        language="fr",
        given_names=(
            "Camille", "Léa", "Chloé", "Manon", "Inès", "Claire", "Juliette", "Élodie",
            "Louis", "Hugo", "Lucas", "Théo", "Antoine", "Julien", "Nicolas", "Mathieu",
            "Sophie", "Isabelle", "Nathalie", "Pierre", "François", "Olivier", "Laurent", "Marc",
        ),
        family_names=(
            "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
            "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David",
            "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier",
        ),
        cities=(
            ("Paris", "75"), ("Lyon", "69"), ("Marseille", "13"), ("Toulouse", "31"),
            ("Nantes", "44"), ("Bordeaux", "33"), ("Lille", "59"), ("Strasbourg", "67"),
            ("Rennes", "35"), ("Montpellier", "34"),
        ),
        streets=(
            "rue de la République", "avenue Victor Hugo", "rue des Lilas", "boulevard Voltaire",
            "rue du Moulin", "place de l'Église", "rue Pasteur", "allée des Tilleuls",
            "rue de la Gare", "chemin des Vignes",
        ),
        company_words=(
            "Lumière", "Azur", "Vendôme", "Belleville", "Horizon", "Mistral", "Cèdre",
            "Atelier Roux", "Garonne", "Beauregard",
        ),
        company_suffix="SARL",
    ),
    Locale(
        country="NL",
        language="nl",
        given_names=(
            "Emma", "Sanne", "Lotte", "Fleur", "Anouk", "Eva", "Iris", "Femke",
            "Daan", "Bram", "Sem", "Thijs", "Ruben", "Jeroen", "Sander", "Joost",
        ),
        family_names=(
            "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Visser",
            "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks",
        ),
        cities=(
            ("Amsterdam", "10"), ("Rotterdam", "30"), ("Utrecht", "35"), ("Den Haag", "25"),
            ("Eindhoven", "56"), ("Groningen", "97"), ("Leiden", "23"), ("Haarlem", "20"),
        ),
        streets=(
            "Kerkstraat", "Dorpsstraat", "Molenweg", "Stationsweg", "Julianalaan",
            "Beatrixstraat", "Prinsengracht", "Wilhelminastraat",
        ),
        company_words=("Dijkstra", "Polder", "Tulp", "Zeewind", "Grachten", "Oranje"),
        company_suffix="B.V.",
    ),
    Locale(
        country="ES",
        language="es",
        given_names=(
            "Lucía", "María", "Paula", "Carmen", "Sofía", "Elena", "Laura", "Marta",
            "Pablo", "Javier", "Alejandro", "Daniel", "Sergio", "Carlos", "Álvaro", "Miguel",
        ),
        family_names=(
            "García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez",
            "Pérez", "Gómez", "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Navarro",
        ),
        cities=(
            ("Madrid", "28"), ("Barcelona", "08"), ("Valencia", "46"), ("Sevilla", "41"),
            ("Bilbao", "48"), ("Málaga", "29"), ("Zaragoza", "50"), ("Granada", "18"),
        ),
        streets=(
            "Calle Mayor", "Calle del Sol", "Avenida de la Constitución", "Calle Real",
            "Plaza de España", "Calle de la Luna", "Paseo del Prado", "Calle Nueva",
        ),
        company_words=("Olivar", "Brisa", "Sierra", "Mediterránea", "Alborada", "Iberia"),
        company_suffix="S.L.",
    ),
    Locale(
        country="IT",
        language="it",
        given_names=(
            "Giulia", "Chiara", "Francesca", "Sara", "Martina", "Alessia", "Valentina", "Elisa",
            "Marco", "Luca", "Matteo", "Andrea", "Davide", "Simone", "Federico", "Lorenzo",
        ),
        family_names=(
            "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
            "Marino", "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Costa", "Giordano",
        ),
        cities=(
            ("Roma", "00"), ("Milano", "20"), ("Torino", "10"), ("Bologna", "40"),
            ("Firenze", "50"), ("Napoli", "80"), ("Verona", "37"), ("Genova", "16"),
        ),
        streets=(
            "Via Roma", "Via Garibaldi", "Corso Italia", "Via Dante", "Piazza del Duomo",
            "Via Mazzini", "Via Verdi", "Viale dei Pini",
        ),
        company_words=("Aurora", "Vesuvio", "Laguna", "Collina", "Stella Alpina", "Toscana"),
        company_suffix="S.r.l.",
    ),
    Locale(
        country="PL",
        language="pl",
        given_names=(
            "Zofia", "Maja", "Julia", "Alicja", "Agnieszka", "Katarzyna", "Magdalena", "Ewa",
            "Jakub", "Kacper", "Piotr", "Tomasz", "Paweł", "Marcin", "Krzysztof", "Michał",
        ),
        family_names=(
            "Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kowalczyk", "Kamiński", "Lewandowski",
            "Zieliński", "Szymański", "Woźniak", "Dąbrowski", "Kozłowski", "Mazur", "Krawczyk",
        ),
        cities=(
            ("Warszawa", "00"), ("Kraków", "30"), ("Wrocław", "50"), ("Gdańsk", "80"),
            ("Poznań", "60"), ("Łódź", "90"),
        ),
        streets=(
            "ul. Marszałkowska", "ul. Długa", "ul. Kwiatowa", "ul. Polna", "ul. Lipowa",
            "ul. Słoneczna",
        ),
        company_words=("Wisła", "Bursztyn", "Tatry", "Mazowsze", "Orzeł"),
        company_suffix="Sp. z o.o.",
    ),
    Locale(
        country="SE",
        language="sv",
        given_names=(
            "Elsa", "Alice", "Maja", "Ebba", "Astrid", "Ingrid", "Karin", "Linnea",
            "Erik", "Lars", "Oskar", "Nils", "Anders", "Johan", "Gustav", "Henrik",
        ),
        family_names=(
            "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
            "Persson", "Svensson", "Gustafsson", "Lindqvist", "Bergström",
        ),
        cities=(
            ("Stockholm", "11"), ("Göteborg", "41"), ("Malmö", "21"), ("Uppsala", "75"),
            ("Lund", "22"),
        ),
        streets=("Storgatan", "Kungsgatan", "Drottninggatan", "Skolgatan", "Parkvägen"),
        company_words=("Norrsken", "Fjäll", "Skärgård", "Björk", "Vinterljus"),
        company_suffix="AB",
    ),
    Locale(
        country="GB",
        language="en",
        given_names=(
            "Olivia", "Amelia", "Isla", "Emily", "Charlotte", "Grace", "Eleanor", "Rosie",
            "Oliver", "George", "Harry", "Jack", "Thomas", "James", "William", "Samuel",
        ),
        family_names=(
            "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
            "Robinson", "Wright", "Thompson", "Evans", "Walker", "Hughes", "Green", "Hall",
        ),
        cities=(
            ("London", "EC1"), ("Manchester", "M1"), ("Bristol", "BS1"), ("Leeds", "LS1"),
            ("Edinburgh", "EH1"), ("Cardiff", "CF10"), ("York", "YO1"), ("Norwich", "NR1"),
        ),
        streets=(
            "High Street", "Station Road", "Church Lane", "Victoria Road", "Mill Lane",
            "Park Avenue", "Queen Street", "Orchard Close",
        ),
        company_words=("Thistle", "Harbour", "Kingfisher", "Greenway", "Oakridge", "Bramble"),
        company_suffix="Ltd",
    ),
    Locale(
        country="PT",
        language="pt",
        given_names=(
            "Beatriz", "Mariana", "Inês", "Matilde", "Ana", "Carolina",
            "João", "Tiago", "Rodrigo", "Diogo", "Miguel", "Rui",
        ),
        family_names=(
            "Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Rodrigues",
            "Martins", "Sousa", "Fernandes", "Gonçalves", "Almeida",
        ),
        cities=(("Lisboa", "1"), ("Porto", "4"), ("Braga", "47"), ("Coimbra", "30")),
        streets=("Rua Augusta", "Avenida da Liberdade", "Rua das Flores", "Rua do Carmo"),
        company_words=("Atlântico", "Douro", "Azulejo", "Caravela"),
        company_suffix="Lda",
    ),
    Locale(
        country="CZ",
        language="cs",
        given_names=(
            "Tereza", "Eliška", "Anna", "Klára", "Petra", "Lucie",
            "Jakub", "Tomáš", "Jan", "Ondřej", "Petr", "Martin",
        ),
        family_names=(
            "Novák", "Svoboda", "Novotný", "Dvořák", "Černý", "Procházka", "Kučera",
            "Veselý", "Horák", "Němec",
        ),
        cities=(("Praha", "11"), ("Brno", "60"), ("Ostrava", "70"), ("Plzeň", "30")),
        streets=("Národní", "Masarykova", "Husova", "Palackého", "Nádražní"),
        company_words=("Vltava", "Lipa", "Morava", "Krkonoše"),
        company_suffix="s.r.o.",
    ),
)  # fmt: skip

# How often each locale is drawn (a German-speaking business with European customers).
LOCALE_WEIGHTS: tuple[int, ...] = (30, 14, 9, 9, 9, 7, 5, 10, 4, 3)

JOB_TITLES: tuple[str, ...] = (
    "Managing Director", "Head of Purchasing", "Buyer", "Office Manager", "CFO", "CTO",
    "Marketing Manager", "Sales Director", "Project Manager", "Operations Manager",
    "IT Administrator", "Head of HR", "Procurement Specialist", "Founder", "Consultant",
    "Account Manager", "Product Owner", "Facility Manager", "Controller", "Team Lead",
)  # fmt: skip

INDUSTRIES: tuple[str, ...] = (
    "Manufacturing", "Logistics", "Retail", "Software", "Healthcare", "Construction",
    "Hospitality", "Energy", "Education", "Finance", "Agriculture", "Media",
)  # fmt: skip

COMPANY_NOUNS: tuple[str, ...] = (
    "Logistics", "Systems", "Consulting", "Engineering", "Foods", "Solutions", "Trading",
    "Media", "Energy", "Robotics", "Textiles", "Partners",
)  # fmt: skip

TAGS: tuple[str, ...] = (
    "vip", "newsletter", "partner", "trade-fair-2026", "webinar", "reseller", "key-account",
    "follow-up", "churn-risk", "referral",
)  # fmt: skip

DEAL_PRODUCTS: tuple[str, ...] = (
    "Annual licence", "Support contract", "Onboarding package", "Hardware refresh",
    "Consulting days", "Training workshop", "Framework agreement", "Pilot project",
    "Maintenance renewal", "Enterprise upgrade",
)  # fmt: skip

NOTE_LINES: tuple[str, ...] = (
    "Asked for a revised quote with volume pricing.",
    "Interested in the new reporting module; send the brochure.",
    "Budget is approved for next quarter.",
    "Prefers to be contacted in the morning.",
    "Met at the trade fair; follow up in two weeks.",
    "Comparing us with two other vendors.",
    "Happy with the last delivery, wants to expand.",
    "Needs sign-off from their finance team.",
    "Requested a reference customer in the same industry.",
    "Contract renewal due at the end of the year.",
)

# A few notes say more than they should, as real notes do: they give the detectors and the
# DPO's review of findings something to show in a demo (all invented; fictitious numbers).
SENSITIVE_NOTE_LINES: tuple[str, ...] = (
    "Off sick after knee surgery; call back next month.",
    "Mentioned she is pregnant and wants the delivery before the summer.",
    "Asked us not to call on Friday afternoons, he is at the mosque then.",
    "Active in the union at work; wants the works council to review the offer.",
    "Mobile if the office line is busy: +44 7700 900461.",
    "Diabetic, prefers morning meetings.",
)

CALL_SUBJECTS: tuple[str, ...] = (
    "Intro call", "Follow-up call", "Pricing discussion", "Check-in", "Renewal call",
    "Support escalation", "Discovery call",
)  # fmt: skip

MEETING_SUBJECTS: tuple[str, ...] = (
    "Product demo", "Kick-off meeting", "Quarterly review", "On-site visit",
    "Contract negotiation", "Workshop",
)  # fmt: skip

TASK_SUBJECTS: tuple[str, ...] = (
    "Send quote", "Call back", "Prepare proposal", "Send contract", "Schedule demo",
    "Update contact details", "Send invoice copy", "Follow up on trial",
)  # fmt: skip

# Staff of the demo company: (given name, family name, role, team name or "").
DEMO_STAFF: tuple[tuple[str, str, str, str], ...] = (
    ("Miriam", "Albrecht", "manager", "North"),
    ("Jonas", "Brandt", "sales", "North"),
    ("Clara", "Vogt", "sales", "North"),
    ("Henrik", "Lund", "marketing", "North"),
    ("Paula", "Serrano", "support", "North"),
    ("Rafael", "Costa", "manager", "South"),
    ("Elena", "Marchetti", "sales", "South"),
    ("Tomasz", "Wróbel", "sales", "South"),
    ("Chloé", "Garnier", "marketing", "South"),
    ("Ines", "Baumann", "support", "South"),
    ("Dorothea", "Keller", "dpo", ""),
    ("Victor", "Laine", "read_only", "North"),
)
