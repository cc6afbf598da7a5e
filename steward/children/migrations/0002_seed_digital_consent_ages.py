"""The Art. 8(1) ages of digital consent as member states set them (docs/decisions/0010),
written once; from then on the table is the operator's to update through the settings page
or the services, which audit every change."""

from django.db import migrations

ART_8 = "Art. 8(1) GDPR"
# country -> (age, the law that sets it). GR is Greece's ISO 3166 code (EL in EU usage);
# GB is the United Kingdom's (UK GDPR).
AGES = {
    "": (16, f"{ART_8}: 16 unless national law provides for a lower age, not below 13"),
    "BE": (13, "Belgium: Law of 30 July 2018 on the protection of natural persons, art. 7"),
    "DK": (13, "Denmark: Data Protection Act (databeskyttelsesloven) § 6(2)"),
    "EE": (13, "Estonia: Personal Data Protection Act (isikuandmete kaitse seadus) § 8"),
    "FI": (13, "Finland: Data Protection Act (1050/2018) § 5"),
    "LV": (13, "Latvia: Personal Data Processing Law, section 33"),
    "MT": (13, "Malta: Data Protection Act (Cap. 586) and its regulations"),
    "PT": (13, "Portugal: Lei n.º 58/2019, art. 16"),
    "SE": (13, "Sweden: Dataskyddslagen (2018:218), ch. 2 § 4"),
    "GB": (13, "United Kingdom: Data Protection Act 2018, s. 9"),
    "AT": (14, "Austria: Datenschutzgesetz (DSG) § 4(4)"),
    "BG": (14, "Bulgaria: Personal Data Protection Act, art. 25c"),
    "CY": (14, "Cyprus: Law 125(I)/2018"),
    "ES": (14, "Spain: Ley Orgánica 3/2018 (LOPDGDD), art. 7"),
    "IT": (14, "Italy: Codice in materia di protezione dei dati personali, art. 2-quinquies"),
    "LT": (14, "Lithuania: Law on Legal Protection of Personal Data, art. 6"),
    "CZ": (15, "Czech Republic: Act No. 110/2019 Coll. on personal data processing, § 7"),
    "FR": (15, "France: Loi Informatique et Libertés (78-17), art. 45"),
    "GR": (15, "Greece: Law 4624/2019, art. 21"),
    "SI": (15, "Slovenia: Personal Data Protection Act (ZVOP-2, 2022)"),
    "DE": (16, f"Germany: {ART_8} (no lower age by national law)"),
    "HR": (16, "Croatia: Act on the Implementation of the GDPR (NN 42/2018), art. 19"),
    "HU": (16, f"Hungary: {ART_8} (no lower age by national law)"),
    "IE": (16, "Ireland: Data Protection Act 2018, s. 31"),
    "LU": (16, f"Luxembourg: {ART_8} (no lower age by national law)"),
    "NL": (16, "Netherlands: UAVG art. 5"),
    "PL": (16, f"Poland: {ART_8} (no lower age by national law)"),
    "RO": (16, f"Romania: {ART_8} (no lower age by national law)"),
    "SK": (16, "Slovakia: Act No. 18/2018 Coll. on personal data protection, § 15"),
}


def seed(apps, schema_editor):
    DigitalConsentAge = apps.get_model("children", "DigitalConsentAge")
    DigitalConsentAge.objects.bulk_create(
        DigitalConsentAge(country=country, age=age, source=source)
        for country, (age, source) in AGES.items()
    )


def unseed(apps, schema_editor):
    apps.get_model("children", "DigitalConsentAge").objects.filter(country__in=AGES).delete()


class Migration(migrations.Migration):
    dependencies = [("children", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
