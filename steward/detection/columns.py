"""The data category of a column of values (an import's CSV column, a custom field being
created): suggested from its header, through a multilingual header lexicon, and from sample
values, through the detectors. A suggestion for the person mapping the file, never a
decision: it says where it came from.

A column that goes into a known field takes that field's annotated category instead (the
data map decides; see steward.imports.column_categories): this module is for the columns
nothing else describes."""

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django_countries import countries

from steward.detection.detectors import TAXONOMY_KEY, detect, guess_language, is_special
from steward.detection.detectors.wordlists import words

# Header rules in order, first match wins: the most sensitive and most specific first, so
# that "Health notes" is health before it is notes, "Last login IP" an IP address before a
# login time, "Company name" an employer before a name. Patterns are regular expressions
# over the normalised header: lower case, accents and punctuation removed, camelCase and
# snake_case split into words, one space around each word (so r" ip " is the word "ip";
# German compounds are matched by their stems, "geburt" in "geburtsdatum").
HEADER_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    # Animals first: a vet's "Raza" is a breed and "Nombre mascota" a pet's name.
    ("commercial.profile", (
        r" breed", r" raza ", r" razza ", r" rasse ", r" ras ", r"mascota", r" pets? ",
        r"haustier", r"tiername", r"huisdier", r" animal", r" chien", r" hund ", r" katze",
        r" gatto", r" perro",
    )),
    # Accepting a privacy policy is consent, not an opinion ("política de privacidad").
    ("commercial.profile", (
        r"privacy", r"privacidad", r"privacidade", r"datenschutz", r"confidentialite",
        r"donnees personnelles", r"privacybeleid", r"informativa", r" gdpr ", r" rgpd ",
        r" dsgvo ", r"personuppgift", r"persondata", r"osobnich udaj", r"danych osobowych",
    )),
    ("special.health", (
        r"health", r"medical", r"medizin", r"medic", r"gesundheit", r"krankheit", r"krank",
        r"diagnos", r"allerg", r" sante ", r"handicap", r"disabilit", r"behinderung",
        r"pflegegrad", r"blood", r"blutgruppe", r"treatment", r"behandlung", r"pregnan",
        r"schwanger", r"grossesse", r"illness", r"maladie", r"therap", r"diet", r"ernahrung",
        r"alimentaire", r"accessib", r"barrierefrei", r"mobility need",
        r" salud ", r" salute ", r"gezondheid", r"medisch", r"discapacidad", r"disabilita",
        r"beperking", r"invalid", r"dieta", r"dieet", r"vaccin", r"impf", r"masern",
        r"immuni", r"arzt", r"doctor", r"physician", r"hausarzt", r"huisarts", r"unvertraglich",
        r"intoleran", r"medicat", r"farmac", r"apothe", r"krankenkasse", r"krankenversicher",
        r"versichertennummer", r"anamne",
    )),
    ("special.religious_beliefs", (
        r"religi", r"konfession", r"confession", r"faith", r"glaube", r"denomination",
        r"kirchensteuer", r"church", r" culte ", r"paroisse", r"parish", r"pfarrei",
        r"kirchengemeinde", r"mosque", r"moschee", r"synagog", r"geloof", r"kerkgenootschap",
        r"parroquia", r"parrocchia", r"confesion",
    )),
    ("special.trade_union_membership", (
        r"trade union", r" union member", r" union ", r"gewerkschaft", r"syndica", r"sindacat",
        r"sindical", r"vakbond",
    )),
    ("special.political_opinions", (
        r"politic", r"politi", r" partei", r"party affiliation", r"parti politique",
        r"partido", r"partito", r" partij",
    )),
    ("special.racial_ethnic_origin", (
        r"ethnic", r"ethni", r" race ", r"hautfarbe", r"etnia", r"etnic", r"etnisch",
    )),
    ("special.sex_life_orientation", (r"sexual", r"sexuel", r"orientation", r"sessual", r"seksue")),
    ("special.genetic", (r"genetic", r"genetisch", r"genetique", r" dna ", r" adn ", r"genetica")),
    ("special.biometric", (
        r"biometr", r"fingerprint", r"fingerabdruck", r"empreinte", r"huella", r"impronta",
        r"vingerafdruk",
    )),
    ("criminal", (
        r"criminal", r"conviction", r"vorstraf", r"straftat", r"fuhrungszeugnis",
        r"casier judiciaire", r"offence", r"offense", r"condamnation", r"antecedentes penales",
        r"casellario", r"strafblad", r" vog ", r"penal",
    )),
    ("children", (
        r" child", r" kind(er|es)? ", r" kindes", r" enfant", r"minderjahrig", r" mineur",
        r" nino", r" hijo", r" figli",
        r" minore", r" menor ", r" kid ", r" kids ", r" baby", r"nachwuchs",
    )),
    ("identity.national_id", (
        r" ssn ", r"social security", r"sozialversicherung", r" secu", r" nir ", r" insee ",
        r"passport", r"reisepass", r"passeport", r"personalausweis", r"id card",
        r"identity card", r"carte d identite", r"national id", r"national insurance",
        r" nino ", r" tax id", r"steuer id", r"steueridentifikation", r"steuernummer",
        r"numero fiscal", r" svnr ", r" ahv ", r"driver s licen", r"drivers licen",
        r"fuhrerschein", r"permis de conduire", r"id number", r"ausweis",
        r" dni ", r" nif ", r" nie ", r"codice fiscale", r" bsn ", r"burgerservicenummer",
        r"sofinummer", r"paspoort", r"pasaporte", r"passaporto", r"carta d identita",
        r"documento de identidad", r"rijbewijs", r"patente di guida", r"permiso de conducir",
        r"seguridad social", r"identiteitsbewijs", r"identiteitskaart", r"rijksregister",
        r"registre national", r"numero national", r" pesel ", r"documento", r"document number",
        r"numero de document", r"dokumentnummer", r" nss ", r" cpf ", r" nic ",
    )),
    ("financial.payment_card", (
        r"credit card", r"card number", r"kreditkart", r"carte bancaire", r"carte de credit",
        r" cc number", r" pan ", r" cvv", r" cvc", r"kartennummer", r" card last", r" last ?4 ",
        r"card expir", r"ablaufdatum", r"tarjeta", r"carta di credito", r"creditcard",
        r"kaartnummer", r"numero carta", r" card (brand|exp|type|holder)",
    )),
    ("financial.iban", (
        r" iban", r"kontonummer", r"bank account", r"bankkonto", r"kontoverbindung",
        r"bankverbindung", r" rib ", r"compte bancaire", r"numero de compte", r"account no ",
        r"account number", r"cuenta bancaria", r"numero de cuenta", r"rekeningnummer",
        r"bankrekening", r"conto corrente", r"conto bancario", r" konto ?nr ",
    )),
    ("commercial.deals", (
        r"payment date", r"date of payment", r"date du paiement", r"date de paiement",
        r"zahlungsdatum", r"fecha de pago", r"data (del )?pagamento", r"betaaldatum",
    )),
    ("financial", (
        r" sepa", r"mandat", r"lastschrift", r"prelevement", r"payment method",
        r"zahlungsart", r"zahlungsweise", r"paiement", r"payment type", r" bic ", r" swift",
        r" blz ", r"bankleitzahl", r" bank ", r" banque ", r"salary",
        r"gehalt", r"einkommen", r" income", r"salaire", r"revenu", r"credit score",
        r"bonitat", r"zahlweise", r" pago ", r"pagamento", r"betaalwijze", r"betaalmethode",
        r"incasso",
        r"machtiging", r"domiciliacion", r"sort code", r"direct debit", r" dd ", r" banco ",
        r" banca ", r"sueldo", r"stipendio", r" salario", r"inkomen", r"reglement",
        r"budget", r"presupuesto", r" apport ", r"eigenkapital", r"eigen geld", r"guarantee",
        r"kaution", r"caution", r"deposit", r"fianza", r"cauzione", r" borg ", r"koopsom",
    )),
    ("online.ip_address", (r" ip ", r" ip address", r" ip adresse", r" adresse ip", r" ipv")),
    ("online.device_id", (
        r"cookie", r"device", r"gerat", r"appareil", r"user agent", r"hubspotutk",
        r"usertoken", r" client id", r"gclid", r"fbclid", r"advertising id", r" idfa ",
        r" gaid ", r"visitor id", r"browser", r"dispositivo", r"apparaat", r"access card", r" fob",
        r" badge", r" rfid", r"chip id", r"key card", r"keycard",
    )),
    ("online", (
        r" user id", r" userid", r" uid ", r"account id", r"benutzer id", r"benutzerkennung",
        r"identifiant utilisateur", r"member login", r"profile url", r"social profile",
        r" euid ", r" leid ", r"unique id", r"web id", r"tracking id",
        r"linkedin", r"linked in", r"twitter", r"facebook", r"instagram", r"handle",
        r"id utente", r"id usuario", r"gebruikers id", r"xing", r"profile link", r"skype",
        r"telegram", r"discord", r"slack",
    )),
    ("online.credentials", (
        r"password", r"passwort", r"mot de passe", r" login", r" logon", r"anmeldung",
        r"connexion", r"username", r"user name", r"benutzername", r"api key", r" token",
        r"contrasena", r"wachtwoord", r"gebruikersnaam", r"nombre de usuario", r" inlog",
        r"nome utente", r"last access", r"ultimo accesso", r"ultimo acceso", r"dernier acces",
        r"letzter zugriff", r"laatst ingelogd",
    )),
    ("identity", (
        r"place of birth", r"birthplace", r"birth place", r"geburtsort", r"lieu de naissance",
        r"lugar de nacimiento", r"luogo di nascita", r"geboorteplaats", r"custody",
        r"sorgerecht", r"autorite parentale", r"patria potestad", r"ouderlijk gezag",
        r"work permit", r"arbeitserlaubnis", r"permis de travail", r"aufenthaltstitel",
        r"permesso di soggiorno", r"permiso de trabajo", r"werkvergunning", r" visa ",
        r"kennzeichen", r"licen[cs]e plate", r"immatriculation", r"matricula", r" targa ",
        r"kenteken", r" vin ", r" fin ", r"fahrgestell", r"chassis",
    )),
    ("identity.date_of_birth", (
        r"birth", r" dob ", r"geburt", r"naissance", r" age ", r" alter ", r" jahrgang ",
        r"nacimiento", r"nascita", r"geboorte", r" edad ", r" eta ", r" leeftijd ",
        r" d o b ", r" geb dat", r" gebdat",
    )),
    # Notes and reasons are free text whatever they are about ("Unsubscribe reason").
    ("free_text", (
        r" notes? ", r" comments? ", r" remarks? ", r" reasons? ", r" grund ", r" raison ",
        r" motivo ", r" reden ", r"background", r"bemerkungen", r"commentaires",
    )),
    ("commercial.profile", (
        r" opt(ed)? ?(in|out)", r"unsubscrib", r"abgemeldet", r"desinscri",
        r"marketing permission", r"marketing consent", r"consent", r"einwilligung",
        r"consentement", r"consentimiento", r"consenso", r"toestemming", r"permission",
    )),
    ("contact", (
        r"emergency", r"notfall", r"urgence", r"next of kin", r" angehorige", r"emergencia",
        r"emergenza", r"noodcontact", r"in case of",
    )),
    ("contact.email", (
        r" e mail", r"email", r"courriel", r" mail ", r" correo", r"posta elettronica", r" pec ",
    )),
    ("contact.phone", (
        r"phone", r"telefon", r"telephone", r" tel ", r" mobil", r" handy", r"portable",
        r" fax", r" cell", r"rufnummer", r"whatsapp", r" movil", r"cellulare", r"telefoon",
        r" gsm ",
    )),
    ("demographic.country", (
        r"country", r" land ", r" pays ", r" staat ", r" pais ", r" paese ", r" nazione ",
    )),
    ("contact.address", (
        r"street", r"strasse", r"adress", r" address", r" rue ", r" zip", r"postal",
        r"postcode", r"post code", r" plz ", r"postleitzahl", r" city ", r" town ", r" ort ",
        r" stadt ", r" ville ", r"wohnort", r" state ", r"province", r" region ", r"county",
        r"bundesland", r"hausnummer", r"code postal", r"localite", r"latitude", r"longitude",
        r" lat ", r" lng ", r" lon ", r" geo", r"coordinates", r"koordinaten", r"location",
        r"standort", r"anschrift", r" adres", r"direccion", r"domicilio", r" calle ",
        r"codigo postal", r"poblacion", r"localidad", r"municipio", r"provinc", r" ciudad ",
        r"indirizzo", r" via ", r" cap ", r" citta ", r" comune ", r"localita", r"straat",
        r"huisnummer", r" plaats ", r"woonplaats", r" regio ", r"gemeente", r"suburb",
        r"address line", r"residen", r"house (name|number|no)", r" apartment", r" wohnung",
        r" haus ?nr ",
    )),
    ("demographic.language", (r"language", r"sprache", r"langue", r"idioma", r"lingua", r" taal ")),
    ("demographic", (
        r"gender", r"geschlecht", r" sexe ", r"nationalit", r"staatsangehorigkeit",
        r"citizenship", r"marital", r"familienstand", r"situation familiale", r" civil status",
        r"timezone", r"time zone", r"zeitzone", r"fuseau", r" gmt", r"utc offset",
        r" sex ", r" sexo ", r" sesso ", r"geslacht", r"nacionalidad", r"nazionalita",
        r"estado civil", r"stato civile", r"burgerlijke staat", r"zona horaria", r"tijdzone",
        r"household", r"haushalt", r"gezin", r" foyer", r"nucleo familiare", r"unidad familiar",
        r"pronoun", r" pronom ", r"cittadinanza", r"ciudadania", r"citoyennete", r"burgerschap",
    )),
    ("professional.employer", (
        r"company", r"firma", r"firmen", r"societe", r"organi[sz]a", r"employer",
        r"arbeitgeber", r"entreprise", r"unternehmen", r"account name", r"employeur",
        r"empresa", r"ragione sociale", r"razon social", r"azienda", r"bedrijf", r"werkgever",
        r"organism", r"societa", r"raison sociale", r"website", r"webseite", r"site web",
        r"sitio web", r"sito web",
    )),
    ("commercial.deals", (
        r"amount", r"betrag", r"montant", r" order", r"bestell", r"commande", r"invoice",
        r"rechnung", r"facture", r"revenue", r"umsatz", r"chiffre d affaires", r" deal",
        r"purchase", r" kauf", r"einkauf", r" achat", r" price", r" preis", r" prix",
        r" total", r"contract", r"vertrag", r" contrat", r"subscription", r" abo ", r" plan ",
        r" tarif",
        r"abonnement", r"lifetime value", r" ltv ", r"opportunit", r"beitrag", r"cotisation",
        r" fees? ", r"gebuhr", r" frais ", r" product", r"produkt", r"produit",
        r"producto", r"prodotto", r" paid ", r"bezahlt", r" paye ", r" don ", r"donation",
        r"spende", r" gift", r"importe", r"importo", r"bedrag", r"pedido", r"ordine",
        r"bestelling", r"factura", r"fattura", r"factuur", r"omzet", r"fatturato", r"facturad",
        r"precio", r"prezzo", r" prijs", r"quantit", r" qty ", r"cantidad", r" aantal ",
        r" menge ", r"ticket", r"formule", r"membership type", r"cuota", r" quota ",
        r"contributie", r"currency", r"wahrung", r" devise", r"moneda", r"valuta",
        r"balance", r" saldo", r" solde", r"arrival", r"departure", r"anreise", r"abreise",
        r" arrivee", r" depart ", r"check ?out", r"nights", r"nachte", r"nuits", r"noches",
        r"nachten", r" notti", r" room", r"zimmer", r"chambre", r"habitacion", r" kamer",
        r" rate ", r" course", r" kurs", r" corso", r" cours ", r" curso", r"cursus",
        r"booking", r"buchung", r"reservation", r"reserva", r"prenotazion", r"boeking",
    )),
    ("commercial.interactions", (
        r"last activity", r"last contact", r"letzter kontakt", r"dernier contact",
        r"last meeting", r"last call", r"email opened", r"emails opened", r"last email",
        r"page views", r"visits", r"activit", r"aktivitat", r"follow up", r"wiedervorlage",
        r"relance", r"next contact", r"visit", r"besuch", r"check(ed)? ?in", r" opens ",
        r" clicks ", r" sent ", r"actividad", r"attivita", r"laatste contact", r"ultimo contatto",
        r"ultimo contacto", r"appointment", r" termin", r"rendez vous", r" cita ",
        r"appuntament", r"afspraak", r"recall", r" stays ", r"aufenthalte", r"sejours",
        r"progress", r"fortschritt", r"contactmoment", r"interaction",
    )),
    ("professional.job_title", (
        r" job", r" title", r" titel", r"position", r" poste ", r"fonction", r" beruf",
        r"department", r"abteilung", r" role ", r"funktion", r"profession", r"occupation",
        r" cargo ", r" puesto ", r"functie", r"beroep", r"mansione", r" ruolo ", r"afdeling",
        r"departamento", r"reparto",
    )),
    ("professional", (
        r"experience", r"berufserfahrung", r"experiencia", r"esperienza", r"ervaring",
        r"notice period", r"kundigungsfrist", r" preavis", r"opzegtermijn", r" preaviso",
        r"qualifikation", r"qualification", r"skills", r"kenntnisse", r"competenc",
    )),
    ("identity.name", (
        r" name", r" nom ", r"prenom", r"vorname", r"nachname", r"surname", r"salutation",
        r"anrede", r"civilite", r"initials", r"holder", r"inhaber", r"titulaire",
        r"accompan", r"begleit", r"name ", r"forename", r" nombre", r"apellido", r" nome ",
        r"cognome", r" naam", r"voornaam", r"achternaam", r"roepnaam", r"tussenvoegsel",
        r"aanhef", r"tratamiento", r"account manager", r"accountmanager", r"sales rep",
        r"abholberechtigt", r"titular", r"titolare", r"naam ", r" owner", r"owned by",
        r"in memory", r"in memoriam", r"zum gedenken", r"en memoire",
    )),
    ("commercial.profile", (
        r"member", r"mitglied", r"adherent", r"customer", r"kunden", r" client",
        r"record id", r"contact id", r"lead", r" source", r"quelle", r"lifecycle",
        r" stage", r" status", r" score", r"segment", r" tag", r"newsletter", r"opt in",
        r"optin", r"subscribed", r"abonniert", r"interest", r"interessen", r"loyalty",
        r"treue", r"fidelite", r"persona", r"rating", r"create date", r"created",
        r"creation", r"signup", r"sign up", r"registered", r"registrier", r"erstellt",
        r"inscription", r"anmeldedatum", r"first seen", r"since", r"changed", r"modified",
        r"updated", r"geandert", r"modifie", r"confirm", r"bestatig", r"eintritt", r"joined",
        r"adhesion", r"consent", r"einwilligung", r"consentement", r"autoris", r"photo", r"foto",
        r"bildrecht", r"droit a l image", r"receipt", r" recu ", r"quittung", r"bescheinigung",
        r"ehrenamt", r"volunteer", r"benevol", r"donor", r"donateur", r"spender", r" id ",
        r" ids ", r"identifi", r"relatie", r"aangemaakt", r"fecha de alta", r" alta ",
        r"etiquet", r" statut ", r" estado ", r" stato ", r"attendee", r"participant",
        r"teilnehmer", r"partecipant", r"deelnemer", r" join", r"expir", r"marketing",
        r"klant", r"cliente", r" socio ", r" lid ", r"lidnummer", r"etichett", r" prospect",
        r" bron ", r"fuente", r" fonte ", r"herkunft", r" vip ", r" level ", r" niveau ",
        r"applied", r"application", r"bewerbung", r"candidat", r"sollicitatie", r"iscrizion",
        # A number in the organisation's own numbering ("Kd.-Nr.", "Pat.-Nr."): a record
        # key, once the rules above have had the numbers they know (phone, house, account).
        r" nr $",
    )),
    ("free_text", (
        r" note", r"notiz", r"comment", r"kommentar", r"remark", r"remarque", r"bemerkung",
        r"description", r"beschreibung", r"observation", r" memo", r"freitext", r"anmerkung",
        r" info ", r"details", r" about ", r"hinweis", r"message", r"nachricht", r"observac",
        r" notas? ", r"opmerking", r"osservazion", r"comentario", r"commento", r"commentaar",
        r"mensaje", r"messaggio", r"bericht", r"toelichting", r"descripcion", r"descrizione",
        r"omschrijving", r"feedback", r"request", r"wunsche ",
        r"bijzonderheden", r"besonderheit", r"particularit", r"peticion", r"richiest",
    )),
)  # fmt: skip

# Identifiers of businesses (VAT numbers): no personal category by their name alone.
_BUSINESS_IDENTIFIERS = re.compile(
    r" vat | vat (id|no|number)| iva | ust ?id| ust nr| umsatzsteuer| tva | btw | piva "
)

# Headers that name no column ("Column 7", "Spalte 7", ""): nothing to go by.
_PLACEHOLDER_HEADER = re.compile(
    r" ((column|spalte|colonne|columna|colonna|kolom|field|feld|champ|campo|veld|unnamed)"
    r"( \d+)?|\d+)? "
)

_COMPILED = tuple((key, re.compile("|".join(patterns))) for key, patterns in HEADER_RULES)

# Whose data a column holds, when its header says. A child's: the pupils of a school, the
# campers of a camp, a club's youth ("Camper first name" is a child's name: Art. 8). A
# parent's or guardian's: their name and address are an adult's, not children's data.
_CHILD_SUBJECT = re.compile(
    r" (child|children|kids?|campers?|pupils?|schuler|leerling|eleve|alumn[oa]s?|alliev[oa]"
    r"|alunn[oa]|enfants?|kind |kindes|kinder|minors?|minore|nin[oa]s?|hij[oa]s?|figli[oa]?"
    r"|ragazz[oaie]|bambin[oaie]|barn(ets?)? |bornets? |crianc[ae]s?|dziec|dite(te)? |deti "
    r"|gyermek|copil)"
)
_GUARDIAN = re.compile(
    r" (parents?|guardian|eltern|erziehungsberechtigt|mutter|vater|mother|father|ouders?"
    r"|responsable legal|tuteur|tutore|genitor|padre|madre|tutor)"
)
# What a column about a child holds that makes it the child's data rather than a name,
# a date of birth or a fact like any other.
_ABOUT_THE_CHILD = frozenset(
    {"", "identity", "identity.name", "identity.date_of_birth", "identity.national_id",
     "commercial.profile", "demographic"}
)  # fmt: skip
# A date column whose header looks back or ahead ("Last open", "Nächste HU") records
# dealings with the person.
_LAST_OR_NEXT = re.compile(
    r" (last|latest|next|letzte[rn]?|nachste[rn]?|naechste|dernier|derniere|prochain[e]?"
    r"|ultim[oa]|proxim[oa]|volgende|laatste|previous|upcoming)"
)
# ... unless it dates a change to the record itself ("Last modified"): record metadata.
_RECORD_CHANGE = re.compile(
    r" (changed|modified|updated|edited|geandert|aktualisiert|modifie|modifiee|modificad[oa]"
    r"|modificat[oa]|aangepast|gewijzigd|bijgewerkt)"
)
# A stay's arrival, as the header of a date column.
_CHECK_IN = re.compile(r" check ?in ")
# Categories a yes/no column cannot hold as a value: "Accepts email marketing" is a flag
# about the person (a preference), not an address.
_FLAG_NOT_VALUE = frozenset(
    {"contact", "contact.email", "contact.phone", "contact.address", "professional",
     "professional.employer", "professional.job_title", "commercial.deals", "identity.name"}
)  # fmt: skip

# Share of a column's non-empty samples that must be found as one category for the
# values to name the column.
MAJORITY = 0.5
# A value "is" a finding when the finding covers this much of it (an email column holds
# addresses, not notes that mention one).
WHOLE_VALUE = 0.8
# Categories that free text shows by a word or two, not by being the whole value.
_MENTION_CATEGORIES = frozenset(
    {"health", "religion", "ethnicity", "politics", "trade_union", "sexual_orientation", "child"}
)
# A bare number is an identifier more often than a phone number: as a column's values,
# a phone number shows its shape (an international or trunk prefix, or separators).
_PHONE_SHAPE = re.compile(r"^\s*(\+|00|0)|[\s\-/().]")
# ISO 3166-1 alpha-2: a column of these is a country (Mailchimp's "CC").
_COUNTRY_CODES = frozenset(code for code, _ in countries)
# Answers of a yes/no column, in the languages of the lexicon.
_YES_NO = frozenset(
    ("yes", "no", "y", "n", "ja", "nein", "oui", "non", "si", "sí", "sì", "nee", "true", "false",
     "nej", "nei", "sim", "não", "nao", "tak", "nie", "ano", "ne", "kyllä", "ei", "igen", "nem",
     "da", "nu")
)  # fmt: skip
# Under this age (median of a column's dates of birth) the column is children's data.
CHILD_AGE = 16
# Average length from which a column of text reads as notes rather than values.
FREE_TEXT_LENGTH = 25


@dataclass(frozen=True)
class ColumnCategory:
    """A column's suggested category (a taxonomy key; "" when nothing says), where the
    suggestion came from ("field", "header", "values", "learned" or "none"), and the special
    categories its sample values mention (a "Notes" column that speaks of health)."""

    category: str
    source: str
    mentions: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict:
        return {"category": self.category, "source": self.source, "mentions": list(self.mentions)}


def normalise_header(header: str) -> str:
    """ "LastLoginIP" -> " last login ip ", "N° sécu" -> " n secu ", "Straße" -> " strasse "."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", header)
    decomposed = unicodedata.normalize("NFKD", spaced.replace("ß", "ss").casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = re.sub(r"[^a-z0-9]+", " ", plain).split()
    return f" {' '.join(words)} "


def category_from_header(header: str) -> str:
    """The taxonomy key the header lexicon gives `header`; "" when no rule matches."""
    normalised = normalise_header(header)
    for key, pattern in _COMPILED:
        if pattern.search(normalised):
            return key
    return ""


def _looks_like_birth_date(value: str) -> date | None:
    match = re.fullmatch(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*", value) or re.fullmatch(
        r"\s*(\d{1,2})[./-](\d{1,2})[./-](\d{4})\s*", value
    )
    if not match:
        return None
    parts = [int(p) for p in match.groups()]
    year, month, day = (parts[0], parts[1], parts[2]) if parts[0] > 31 else (parts[2], 0, 0)
    if month == 0:
        first, second = parts[0], parts[1]
        day, month = (first, second) if second <= 12 else (second, first)
    try:
        return date(year, month, day)
    except ValueError:
        return None


def median_age(values: Sequence[str], *, today: date | None = None) -> float | None:
    """How many years back the median of `values` lies, when most of them are dates (of
    the shapes dates of birth are written in); None otherwise."""
    samples = [v.strip() for v in values if v and v.strip()]
    dates = [d for v in samples if (d := _looks_like_birth_date(v)) is not None]
    if not samples or len(dates) < MAJORITY * len(samples):
        return None
    today = today or date.today()
    ages = sorted((today - d).days / 365.25 for d in dates)
    return ages[len(ages) // 2]


def children_birth_dates(values: Sequence[str], *, today: date | None = None) -> bool:
    """Whether most of `values` are dates and their median lies one to CHILD_AGE years
    back: a column of children's dates of birth (Art. 8), whatever its header. Dates of
    the last year are a gift's or an order's, not a birth's."""
    age = median_age(values, today=today)
    return age is not None and 1 <= age < CHILD_AGE


def category_from_values(
    values: Sequence[str], *, language: str | None = None, today: date | None = None
) -> ColumnCategory:
    """The category most of `values` are (by the detectors, or dates of birth by their
    shape and age), and the special categories any of them mention. `language`: the
    file's, when known (guessed from the values otherwise)."""
    samples = [v.strip() for v in values if v and v.strip()]
    if not samples:
        return ColumnCategory("", "none")
    whole: Counter[str] = Counter()
    mentions: set[str] = set()
    # One value is too short to tell its language ("Diabétique"); a column, or better the
    # whole file, is not.
    language = language or guess_language(" ".join(samples))
    for value in samples:
        findings = detect(value, language=language)
        for finding in findings:
            if finding.category in _MENTION_CATEGORIES:
                mentions.add(finding.category)
        covering = {
            f.category
            for f in findings
            if (f.end - f.start) >= WHOLE_VALUE * len(value)
            and (f.category != "phone" or _PHONE_SHAPE.search(value))
        }
        whole.update(covering)
    special = tuple(sorted(TAXONOMY_KEY[m] for m in mentions if is_special(m)))
    if whole:
        category, count = whole.most_common(1)[0]
        if count >= MAJORITY * len(samples):
            return ColumnCategory(TAXONOMY_KEY[category], "values", special)
    codes = [v for v in samples if v.upper() in _COUNTRY_CODES]
    # "no" is Norway and "IT" Italy, but a column of yes and no is a flag.
    if len(codes) >= MAJORITY * len(samples) and not all(v.casefold() in _YES_NO for v in samples):
        return ColumnCategory("demographic.country", "values", special)
    today = today or date.today()
    births = [d for v in samples if (d := _looks_like_birth_date(v)) is not None]
    if len(births) >= MAJORITY * len(samples):
        ages = sorted((today - d).days / 365.25 for d in births)
        # Dates of birth lie decades back and within a lifetime; a column of sign-up or
        # order dates is mostly recent. The median of adults' birth dates lies more than
        # 18 years back.
        if 18 <= ages[len(ages) // 2] <= 110:
            return ColumnCategory("identity.date_of_birth", "values", special)
    if sum(len(v) for v in samples) / len(samples) >= FREE_TEXT_LENGTH and any(
        " " in v for v in samples
    ):
        return ColumnCategory("free_text", "values", special)
    if mentions:
        return ColumnCategory(TAXONOMY_KEY[sorted(mentions)[0]], "values", special)
    return ColumnCategory("", "none", special)


# Header words that give away an export's language when its cells hold no sentences.
_HEADER_LANGUAGE = {
    "fr": words(
        "prenom nom courriel telephone ville pays adresse societe remarques civilite "
        "portable montant commande naissance entreprise fonction commentaires"
    ),
    "de": words(
        "vorname nachname strasse plz ort telefon handy firma geburtsdatum kommentar betrag "
        "anrede wohnort postleitzahl bemerkungen"
    ),
}


def file_language(headers: Sequence[str], samples: Sequence[Sequence[str]]) -> str:
    """The language of a file of columns: from its sentences when its cells hold some,
    else from the words of its headers; English when neither tells."""
    cells = " ".join([*headers, *(cell for row in samples for cell in row)])
    language = guess_language(cells, default="")
    if language:
        return language
    words = set(normalise_header(" ".join(headers)).split())
    votes = {lang: len(words & vocabulary) for lang, vocabulary in _HEADER_LANGUAGE.items()}
    best = max(votes, key=lambda lang: votes[lang])
    return best if votes[best] else "en"


# Forms of address, as normalised words: a column of these is part of a name.
# (A lone "M." is left out: a column of "m" is as often a gender.)
_SALUTATIONS = frozenset(
    (
        *("mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "herr", "frau", "mme", "mlle"),
        *("monsieur", "madame", "sr", "sra", "srta", "don", "dona", "sig", "sig ra", "signor"),
        *("signora", "dott", "dhr", "mevr", "de heer", "mevrouw", "dr med", "prof dr"),
        *("rev", "revd", "lady", "lord", "master", "mstr"),
    )
)


def are_salutations(values: Sequence[str]) -> bool:
    samples = [normalise_header(v).strip() for v in values if v and v.strip()]
    return bool(samples) and sum(s in _SALUTATIONS for s in samples) >= MAJORITY * len(samples)


def about_a_child(header: str) -> bool:
    """Whether `header` names a child as the person whose data the column holds ("Camper
    DOB", "Nom de l'élève"), not their parent ("Parent/guardian name")."""
    normalised = normalise_header(header)
    return bool(_CHILD_SUBJECT.search(normalised)) and not _GUARDIAN.search(normalised)


def childrens_file(headers: Sequence[str]) -> bool:
    """Whether a file is about children: at least two of its columns name a child as
    whose data they hold (the pupils of a school, the campers of a camp), so that the
    rows are children and what the file keeps about each row is a child's."""
    return sum(about_a_child(h) for h in headers) >= 2


_DATE_VALUE = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}.*)?"
    r"|\d{1,2}[./-]\d{4}"
    r"|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}( \d{1,2}:\d{2}.*)?"
)
_MONEY_VALUE = re.compile(
    r"(?i)([€$£]|eur|usd|gbp|chf)?\s*-?\d{1,3}([.,' ]?\d{3})*[.,]\d{2}\s*([€$£]|eur|usd|gbp|chf)?"
    r"|([€$£]|eur|usd|gbp|chf)\s*-?\d+|-?\d+\s*([€$£]|eur|usd|gbp|chf)"
)


def value_shape(values: Sequence[str]) -> str:
    """What most of a column's values look like: "yes_no", "date", "money", or ""."""
    samples = [v.strip() for v in values if v and v.strip()]
    if not samples:
        return ""
    folded = {v.casefold() for v in samples}
    if len(folded) <= 2 and folded <= _YES_NO | {"0", "1", "x"}:
        return "yes_no"
    for shape, pattern in (("date", _DATE_VALUE), ("money", _MONEY_VALUE)):
        if sum(bool(pattern.fullmatch(v)) for v in samples) >= MAJORITY * len(samples):
            return shape
    return ""


def categorise_column(
    header: str, values: Sequence[str], *, language: str | None = None
) -> ColumnCategory:
    """A column nothing else describes (see categorise_columns)."""
    return categorise_columns([(header, values)], language=language)[0]


def categorise_columns(
    columns: Sequence[tuple[str, Sequence[str]]], *, language: str | None = None
) -> list[ColumnCategory]:
    """Columns nothing else describes, as (header, sample values): what the rules say
    (categorise_column_by_rules), unless they only fall back, where the learned model
    (steward.detection.column_model) reads the column by its nearest labelled ones. The
    columns the model reads are encoded in one batch."""
    from steward.detection import column_model

    ruled = [categorise_column_by_rules(h, v, language=language) for h, v in columns]
    unsure = [
        i
        for i, (column, found) in enumerate(zip(columns, ruled, strict=True))
        if _weak(*column, found)
    ]
    learned = column_model.suggest_many([columns[i] for i in unsure])
    result = list(ruled)
    for i, suggestion in zip(unsure, learned, strict=True):
        suggestion = _founded(suggestion, columns[i][1], ruled[i])
        if suggestion is not None:
            result[i] = ColumnCategory(suggestion.category, "learned", ruled[i].mentions)
    for i, ((_, values), found) in enumerate(zip(columns, result, strict=True)):
        if found.category == "identity.date_of_birth" and children_birth_dates(values):
            # "Fødselsdato" of the pupils of a swimming school: a child's date of birth.
            result[i] = ColumnCategory("children", "values", found.mentions)
    return result


# How near a labelled column of a sensitive category (column_model.SENSITIVE_PREFIXES)
# must lie for a yes/no column to take it: a flag is about the person's dealings or
# preferences ("Certificato rilasciato", "Tackbrev skickat") far more often than a
# special category, unless its header says so as plainly as a labelled column does.
SENSITIVE_SIMILARITY_FLAG = 0.75


def _founded(suggestion, values: Sequence[str], ruled: ColumnCategory):
    """The learned suggestion if its evidence is enough for its category, else None (the
    rules' answer stands). A yes/no column takes a sensitive category only from a near
    neighbour or the values' own mention of it; recent dates are no dates of birth."""
    from steward.detection.column_model import is_sensitive

    if suggestion is None:
        return None
    if suggestion.category == "identity.date_of_birth":
        # Dates of the last year, or to come, are no one's birth ("Gåvodatum", "Datum").
        age = median_age(values)
        return None if age is not None and age < 1 else suggestion
    flag = value_shape(values) == "yes_no"
    if flag and suggestion.category in _FLAG_NOT_VALUE - {"commercial.deals"}:
        # A yes/no column near "indirizzo email" is a flag about the address (one near
        # "Betaald" may well say a deal is paid).
        return None
    if not is_sensitive(suggestion.category):
        return suggestion
    if suggestion.category in ruled.mentions or not flag:
        return suggestion
    return suggestion if suggestion.similarity >= SENSITIVE_SIMILARITY_FLAG else None


def _weak(header: str, values: Sequence[str], ruled: ColumnCategory) -> bool:
    """Whether the rules only guessed: a filled column no rule names (their fallback), long
    values with spaces read as notes (an address or a medical opinion is long too), or a
    label without samples (a custom field being created) that no rule knows."""
    if _PLACEHOLDER_HEADER.fullmatch(normalise_header(header)):
        return False
    if not values:
        return not ruled.category and bool(header.strip())
    filled = any(v and v.strip() for v in values)
    guess = (ruled.source, ruled.category) in (
        ("none", "commercial.profile"),
        ("values", "free_text"),
    )
    return filled and guess


# Categories whose values are a few words: a column of sentences is not one of them.
_SHORT_VALUES = frozenset(
    {"professional.job_title", "identity.name", "demographic", "demographic.language",
     "demographic.country", "professional.employer"}
)  # fmt: skip
# Categories a column holds as values of a telling shape: an email address has an "@", a
# phone number digits. A filled column none of whose values has it is about the thing
# the header names (a status, a preference), not the thing itself.
_VALUE_KINDS = {
    "contact.email": re.compile(r"@"),
    "contact.phone": re.compile(r"\d"),
}


# A currency named in a header ("Quota (€)", "Kontingent (kr.)"), as normalised words.
_CURRENCY_HEADER = re.compile(
    r" (eur|euro|usd|gbp|chf|kr|sek|dkk|nok|pln|zl|czk|kc|huf|ft|ron|lei) "
)
_NUMBER = re.compile(r"-?\d{1,3}([ .,']?\d{3})*([.,]\d{1,2})?")


def _numbers(values: Sequence[str]) -> bool:
    filled = [v.strip() for v in values if v and v.strip()]
    return bool(filled) and all(_NUMBER.fullmatch(v) for v in filled)


def _holds_the_kind(category: str, values: Sequence[str]) -> bool:
    filled = [v for v in values if v and v.strip()]
    return not filled or any(_VALUE_KINDS[category].search(v) for v in filled)


def categorise_column_by_rules(
    header: str, values: Sequence[str], *, language: str | None = None
) -> ColumnCategory:
    """A column nothing else describes: its header's category when the lexicon knows it,
    else its values'; with the special categories its values mention either way. Whose the
    column is (a child's, a parent's) and the shape of its values (yes/no, dates, amounts)
    refine what the header alone would say."""
    from_values = category_from_values(values, language=language)
    mentions = from_values.mentions
    normalised = normalise_header(header)
    if _BUSINESS_IDENTIFIERS.search(normalised):
        return ColumnCategory("", "header", mentions)
    from_header = category_from_header(header)
    if (
        from_header in _VALUE_KINDS
        and not _holds_the_kind(from_header, values)
        and value_shape(values) != "yes_no"  # a flag: see _FLAG_NOT_VALUE below
    ):
        # "Email Subscription Status" of "unsubscribed": about the address, not one.
        from_header = ""
    if from_header in _SHORT_VALUES and from_values.category == "free_text":
        # "Observaciones reparto" of whole sentences: notes, whatever a word of it names
        # (and the learned tier reads them, as it reads any column taken for notes).
        return from_values
    if from_header in ("", "professional.job_title") and are_salutations(values):
        # "Title" is a job title in one CRM and "Mr"/"Dr" in the next: the values tell.
        return ColumnCategory("identity.name", "values", mentions)
    if _GUARDIAN.search(normalised) and from_header in ("", "children"):
        # "Erziehungsberechtigte/r": the column holds the name of an adult.
        from_header = "identity.name"
    if from_header in _ABOUT_THE_CHILD and about_a_child(header):
        return ColumnCategory("children", "header", mentions)
    shape = value_shape(values)
    if not shape and _CURRENCY_HEADER.search(normalised) and _numbers(values):
        # "Kontingent (kr.)" of 650 and 780: amounts, the header says in what.
        shape = "money"
    if shape == "yes_no" and from_header in _FLAG_NOT_VALUE:
        return ColumnCategory("commercial.profile", "values", mentions)
    if (
        shape == "date"
        and from_header in ("", "commercial.profile")
        and _LAST_OR_NEXT.search(normalised)
        and not _RECORD_CHANGE.search(normalised)
    ):
        return ColumnCategory("commercial.interactions", "header", mentions)
    if (
        shape == "date"
        and from_header == "commercial.interactions"
        and _CHECK_IN.search(normalised)
    ):
        # "Check-in" as a date is the arrival of a booking, like "Arrival"; a yes/no
        # "Checked in" or a count of check-ins records the person's visits.
        return ColumnCategory("commercial.deals", "header", mentions)
    if from_header == "commercial.profile" and from_values.category == "identity.name":
        # "Owner", "Member": a column of people's names whatever its header calls them.
        return ColumnCategory("identity.name", "values", mentions)
    if from_header:
        return ColumnCategory(from_header, "header", mentions)
    if (
        from_values.category
        or _PLACEHOLDER_HEADER.fullmatch(normalised)
        or not any(v and v.strip() for v in values)
    ):
        return from_values
    if shape == "money":
        return ColumnCategory("commercial.deals", "values", mentions)
    # A filled column nothing names, in a file of people, still says something about the
    # person on each row: a fact the organisation keeps about its contact, for the person
    # mapping the file to correct, rather than no category (read as "not personal").
    return ColumnCategory("commercial.profile", "none", from_values.mentions)
