import pytest

from spie_occitanie import (
    Allocation,
    Citation,
    Envelope,
    InvalidValueError,
    Money,
    Organisation,
    OrganisationKind,
    Round,
    RoundKind,
    Selection,
    Source,
    SourceKind,
    Territory,
    TerritoryKind,
)


def departement(code: str, name: str, tncc: int | None, region: str = "76") -> Territory:
    return Territory(
        territory_id=f"fr:departement:{code}",
        kind=TerritoryKind.DEPARTEMENT,
        name=name,
        tncc=tncc,
        code=code,
        code_region=region,
    )


class TestTerritoryLabels:
    @pytest.mark.parametrize(
        ("code", "name", "tncc", "article", "of"),
        [
            ("31", "Haute-Garonne", 3, "la Haute-Garonne", "de la Haute-Garonne"),
            ("65", "Hautes-Pyrénées", 4, "les Hautes-Pyrénées", "des Hautes-Pyrénées"),
            ("11", "Aude", 5, "l'Aude", "de l'Aude"),
            ("30", "Gard", 2, "le Gard", "du Gard"),
            ("976", "Mayotte", 0, "Mayotte", "de Mayotte"),
        ],
    )
    def test_labels(self, code, name, tncc, article, of):
        """TNCC gives the article and the charnière, as INSEE defines them."""
        territory = departement(code, name, tncc)
        assert (article, of) == (territory.with_article, territory.of_label)

    def test_region_label(self):
        """A région with TNCC 1 takes "d'": "la région d'Occitanie"."""
        occitanie = Territory(
            territory_id="fr:region:76",
            kind=TerritoryKind.REGION,
            name="Occitanie",
            tncc=1,
            code="76",
            code_region="76",
        )
        assert "d'Occitanie" == occitanie.of_label


class TestTerritoryRules:
    def test_departement_code_belongs_to_departements(self):
        """A métropole has no département code: what it covers is a relation."""
        with pytest.raises(InvalidValueError, match="'code' must be empty"):
            Territory(
                territory_id="spie:metropole-de-lyon",
                kind=TerritoryKind.METROPOLE,
                name="Métropole de Lyon",
                code="69",
            )

    def test_id_matches_code(self):
        """The zone id of a département is built from its code."""
        with pytest.raises(InvalidValueError) as info:
            Territory(
                territory_id="fr:departement:31", kind=TerritoryKind.DEPARTEMENT, name="Gard", code="30"
            )
        assert "Territory 'fr:departement:31': 'territory_id' must be 'fr:departement:30'" in str(info.value)

    @pytest.mark.parametrize("code", ["20", "96", "1", "2C", "977"])
    def test_bad_departement_code(self, code):
        """Codes INSEE does not use for départements are refused."""
        with pytest.raises(InvalidValueError):
            departement(code, "X", 0)

    def test_tncc_range(self):
        """TNCC runs from 0 to 8."""
        with pytest.raises(InvalidValueError, match="'tncc' must be an INSEE TNCC"):
            departement("31", "Haute-Garonne", 9)

    def test_covers_only_departements(self):
        """Coverage points at départements by their zone id."""
        with pytest.raises(InvalidValueError, match="'covers' must be a département id"):
            Territory(territory_id="spie:cea", kind=TerritoryKind.COLLECTIVITE, name="CeA", covers=("67",))

    def test_empty_name(self):
        """Absent is None, never an empty string."""
        with pytest.raises(InvalidValueError, match="'name' must not be empty"):
            departement("31", "", 3)


class TestOrganisation:
    def test_valid_siren(self):
        """The SIREN of the Haute-Garonne passes the Luhn checksum."""
        cd31 = Organisation(
            organisation_id="cd-31",
            name="Conseil départemental de la Haute-Garonne",
            kind=OrganisationKind.DEPARTEMENT_COUNCIL,
            siren="223100017",
        )
        assert not cd31.siren_verified

    @pytest.mark.parametrize(
        ("siren", "reason"),
        [
            ("223100018", "is not a valid SIREN"),
            ("22310001", "must be a SIREN of 9 digits"),
            ("223 100 017", "must be a SIREN of 9 digits"),
        ],
    )
    def test_bad_siren(self, siren, reason):
        """A bad SIREN names the organisation, the field and the value."""
        with pytest.raises(InvalidValueError) as info:
            Organisation(
                organisation_id="cd-31", name="CD 31", kind=OrganisationKind.DEPARTEMENT_COUNCIL, siren=siren
            )
        message = str(info.value)
        assert message.startswith("Organisation 'cd-31': 'siren'")
        assert reason in message
        assert repr(siren) in message

    def test_verified_needs_a_number(self):
        """A register check cannot be claimed for a missing SIREN."""
        with pytest.raises(InvalidValueError, match="'siren_verified' cannot be true"):
            Organisation(organisation_id="x", name="X", kind=OrganisationKind.FIRM, siren_verified=True)


class TestRecords:
    def test_enum_message_lists_allowed_values(self):
        """A wrong kind names the allowed values."""
        with pytest.raises(InvalidValueError, match="'kind' must be one of 'experimentation', 'ami'"):
            Round(round_id="ami-3", programme_id="spie", kind="call", number=3, name="x")  # type: ignore[arg-type]

    def test_years_ordered(self):
        """A period cannot end before it starts."""
        with pytest.raises(
            InvalidValueError, match="Round 'ami-1': 'last_year' must not be before 'first_year'"
        ):
            Round(
                round_id="ami-1",
                programme_id="spie",
                kind=RoundKind.AMI,
                number=1,
                name="x",
                first_year=2022,
                last_year=2021,
            )

    def test_selection_key(self):
        """A selection's key joins round and territory with '|'."""
        selection = Selection(round_id="ami-2", territory_id="fr:departement:31")
        assert "ami-2|fr:departement:31" == selection.key

    def test_allocation_names_a_whole_selection(self):
        """Round and territory of an allocation come together."""
        with pytest.raises(InvalidValueError, match="'round_id' must be given together"):
            Allocation(allocation_id="a", funder_id="etat", amount=Money.of(1), round_id="ami-2")

    def test_envelope_not_its_own_parent(self):
        """An envelope cannot be part of itself."""
        with pytest.raises(InvalidValueError, match="'parent_id' must not be the envelope itself"):
            Envelope(envelope_id="e", funder_id="etat", amount=Money.of(1), parent_id="e")

    def test_source_url(self):
        """A URL is an http(s) URL."""
        with pytest.raises(InvalidValueError, match="'url' must be an http"):
            Source(source_id="s", title="t", publisher="p", kind=SourceKind.ARTICLE, url="ftp://x")

    def test_records_are_frozen_and_keyword_only(self):
        """Records cannot change once built, and take keywords only."""
        selection = Selection(round_id="ami-2", territory_id="fr:departement:31")
        with pytest.raises(AttributeError):
            selection.round_id = "ami-1"  # type: ignore[misc]
        with pytest.raises(TypeError):
            Selection("ami-2", "fr:departement:31")  # type: ignore[call-arg]

    def test_citation_kind(self):
        """A citation is stated unless said to be inferred."""
        citation = Citation(
            citation_id="rounds/ami-2/*/1",
            record_table="rounds",
            record_key="ami-2",
            source_id="te-list",
            quote="x",
        )
        assert "states" == citation.kind.value
