"""The ontology is the one source of the vocabulary: records, DDL, shapes and context follow it."""

from __future__ import annotations

import dataclasses
import json
import re
import typing
from decimal import Decimal

import ladybug
import pytest
from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, Namespace, URIRef
from rdflib import namespace as rdf_ns
from rdflib.collection import Collection

from ontology import ids, records
from ontology.vocabulary import (
    CONTEXT_FILE,
    FKG,
    SHAPES_FILE,
    jsonld_context,
    ontology_graph,
    vocabulary,
)
from store.ladybug import schema_ddl

SH = Namespace("http://www.w3.org/ns/shacl#")
QB = Namespace("http://purl.org/linked-data/cube#")
ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")
OBEU = Namespace("http://data.openbudgets.eu/ontology/dsd/dimension/")
DCT = Namespace("http://purl.org/dc/terms/")

PY_TO_PG = {str: "STRING", int: "INT64", Decimal: "DOUBLE"}


def _record_class(label: str) -> type:
    return getattr(records, label)


def _plain_type(cls: type, name: str) -> type:
    """``str | None`` → str (the record annotations are strings under __future__)."""
    hint = typing.get_type_hints(cls)[name]
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    return args[0] if args else hint


def test_every_record_field_maps_to_the_ontology_and_back() -> None:
    v = vocabulary()
    assert set(v.nodes) == set(ids.KINDS)  # the nine entity records
    for label in v.nodes:
        fields = {f.name for f in dataclasses.fields(_record_class(label))}
        assert fields == v.record_fields(label), label
        for f in fields:
            if f.endswith("_ref"):
                assert (label, f) in v.refs, f"{label}.{f} is not a relationship"
            else:
                prop = v.nodes[label].prop(f)
                assert PY_TO_PG[_plain_type(_record_class(label), f)] == prop.pg_type, (label, f)


def test_every_ontology_property_is_used() -> None:
    g = ontology_graph()
    v = vocabulary()
    used_props = {p.iri for t in v.nodes.values() for p in t.properties}
    for prop in g.subjects(RDF.type, OWL.DatatypeProperty):
        assert prop in used_props, f"{prop} maps to no record field"
    used_rels = {iri for r in v.refs.values() for iri in r.iris}
    for prop in g.subjects(RDF.type, OWL.ObjectProperty):
        assert prop in used_rels, f"{prop} maps to no record field"


def test_relationships_match_the_design() -> None:
    v = vocabulary()
    assert {t: set(r.pairs) for t, r in v.rels.items()} == {
        "PART_OF": {("Region", "Region")},
        "LOCATED_IN": {("Department", "Region")},
        "UNIT_OF": {("Unit", "Department")},
        "PUBLISHED_BY": {("Document", "Department")},
        "BROADER": {("FunctionalSubject", "FunctionalSubject"),
                    ("EconomicSubject", "EconomicSubject")},
        "RUN_BY": {("Project", "Unit"), ("Project", "Department")},
        "CLASSIFIED_AS": {("Amount", "FunctionalSubject"), ("Amount", "EconomicSubject"),
                          ("Project", "FunctionalSubject")},
        "HAS_INDICATOR": {("Project", "Indicator"), ("Department", "Indicator")},
        "OF": {("Amount", "Unit"), ("Amount", "Department")},
        "FOR_PROJECT": {("Amount", "Project")},
        "REPORTED_IN": {("Amount", "Document"), ("Project", "Document"),
                        ("Indicator", "Document")},
    }
    owner = v.refs[("Indicator", "owner_ref")]
    assert owner.inverse and owner.rel_type == "HAS_INDICATOR"
    assert set(owner.targets) == {"Project", "Department"}
    assert v.refs[("Amount", "of_ref")].targets == ("Unit", "Department")
    assert v.refs[("FunctionalSubject", "broader_ref")].targets == ("FunctionalSubject",)
    functional = v.refs[("Amount", "functional_ref")]
    assert functional.targets == ("FunctionalSubject",)
    assert functional.iris == (FKG.functionalClassification, FKG.classifiedAs)


def test_naming_conventions() -> None:
    v = vocabulary()
    for label, table in v.nodes.items():
        assert re.fullmatch(r"[A-Z][A-Za-z]+", label)
        assert str(table.iri) == str(FKG) + label  # same local name in RDF
        for p in table.properties:
            assert re.fullmatch(r"[a-z][a-z0-9_]*", p.name)
    for rel_type, rel in v.rels.items():
        assert re.fullmatch(r"[A-Z]+(_[A-Z]+)*", rel_type)
        camel = re.sub(r"_([a-z])", lambda m: m.group(1).upper(), rel_type.lower())
        assert str(rel.iri) == str(FKG) + camel  # CLASSIFIED_AS ↔ classifiedAs
    assert v.nodes["Region"].key == "code" and v.nodes["FunctionalSubject"].key == "code"
    assert v.nodes["Amount"].key == "id"
    assert v.nodes["Region"].prop("level").pg_type == "STRING"
    assert v.nodes["FunctionalSubject"].prop("level").pg_type == "INT64"
    assert v.nodes["Amount"].prop("yuan").pg_type == "DOUBLE"
    assert v.nodes["Amount"].prop("yuan").datatype == rdf_ns.XSD.decimal


def test_labels_in_chinese_and_english() -> None:
    g = ontology_graph()
    terms = set(g.subjects(RDF.type, OWL.Class)) | set(g.subjects(RDF.type, OWL.ObjectProperty))
    terms |= set(g.subjects(RDF.type, OWL.DatatypeProperty))
    for term in (t for t in terms if isinstance(t, URIRef)):
        langs = {lit.language for lit in g.objects(term, RDFS.label) if isinstance(lit, Literal)}
        assert {"zh", "en"} <= langs, term


def test_alignments() -> None:
    g = ontology_graph()
    sub = RDFS.subClassOf
    assert (FKG.Amount, sub, QB.Observation) in g
    assert (FKG.Department, sub, ORG.Organization) in g
    assert (FKG.Unit, sub, ORG.Organization) in g
    assert (FKG.Document, sub, PROV.Entity) in g
    assert (FKG.Region, sub, DCT.Location) in g
    assert (FKG.FunctionalSubject, sub, SKOS.Concept) in g
    assert (FKG.functionalScheme, RDF.type, SKOS.ConceptScheme) in g
    assert (FKG.economicScheme, RDF.type, SKOS.ConceptScheme) in g
    subp = RDFS.subPropertyOf
    assert (FKG.broader, subp, SKOS.broader) in g
    assert (FKG.unitOf, subp, ORG.subOrganizationOf) in g
    assert (FKG.reportedIn, subp, PROV.wasDerivedFrom) in g
    for prop, dimension in [(FKG.functionalClassification, OBEU.functionalClassification),
                            (FKG.economicClassification, OBEU.economicClassification),
                            (FKG.of, OBEU.organization), (FKG.measure, OBEU.budgetPhase),
                            (FKG.fiscalYear, OBEU.fiscalYear)]:
        assert (prop, subp, dimension) in g
        assert (prop, RDF.type, QB.DimensionProperty) in g
    assert vocabulary().nodes["FunctionalSubject"].scheme == FKG.functionalScheme


def test_derived_ddl_is_accepted_by_ladybug() -> None:
    db = ladybug.Database(":memory:")
    conn = ladybug.Connection(db)
    statements = schema_ddl()
    assert statements[0].startswith("CREATE NODE TABLE IF NOT EXISTS `Amount`(`id` STRING")
    assert "`table` STRING" in statements[0]  # a reserved word, hence the quoting
    assert ("CREATE REL TABLE IF NOT EXISTS `OF`(FROM `Amount` TO `Department`, "
            "FROM `Amount` TO `Unit`)") in statements
    for statement in statements:
        conn.execute(statement)
    result = conn.execute("CALL show_tables() RETURN name, type")
    tables = {row[0]: row[1] for row in result}
    v = vocabulary()
    assert tables == {**{label: "NODE" for label in v.nodes}, **{t: "REL" for t in v.rels}}
    conn.close()
    db.close()


# ------------------------------------------------------------------------------------------
# SHACL shapes
# ------------------------------------------------------------------------------------------


def _shapes() -> Graph:
    g = Graph()
    g.parse(SHAPES_FILE, format="turtle")
    return g


def _in_list(shapes: Graph, path: URIRef) -> tuple[str, ...]:
    for prop in shapes.subjects(SH.path, path):
        values = shapes.value(prop, SH["in"])
        if values is not None:
            return tuple(str(x) for x in Collection(shapes, values))
    raise AssertionError(f"no sh:in for {path}")


def test_shape_value_lists_match_the_records() -> None:
    shapes = _shapes()
    assert _in_list(shapes, FKG.measure) == records.MEASURES
    assert _in_list(shapes, FKG.fund) == records.FUNDS
    assert _in_list(shapes, FKG.category) == records.CATEGORIES
    assert _in_list(shapes, FKG.operator) == records.OPERATORS


def test_every_class_has_a_shape() -> None:
    shapes = _shapes()
    targets = set(shapes.objects(None, SH.targetClass))
    assert targets == {t.iri for t in vocabulary().nodes.values()}


def _data(region_code: str, with_document: bool = True) -> Graph:
    """A tiny RDF graph: 若羌县, its department and one amount of 683.70 万元."""
    base = "https://example.org/id/"
    g = Graph()
    region, dept = URIRef(base + "region/" + region_code), URIRef(base + "department/d")
    doc, amount = URIRef(base + "document/x"), URIRef(base + "amount/a")
    subject = URIRef(base + "functional-subject/201")
    g.add((region, RDF.type, FKG.Region))
    g.add((region, FKG.code, Literal(region_code)))
    g.add((region, FKG.name, Literal("若羌县")))
    g.add((region, FKG.regionLevel, Literal("county")))
    g.add((dept, RDF.type, FKG.Department))
    g.add((dept, FKG.id, Literal("652824-若羌县人民政府办公室")))
    g.add((dept, FKG.name, Literal("若羌县人民政府办公室")))
    g.add((dept, FKG.locatedIn, region))
    g.add((subject, RDF.type, FKG.FunctionalSubject))
    g.add((subject, FKG.code, Literal("201")))
    g.add((subject, FKG.level, Literal(1)))
    g.add((subject, SKOS.inScheme, FKG.functionalScheme))
    g.add((amount, RDF.type, FKG.Amount))
    for prop, value in [(FKG.id, Literal("x-140-142-total")),
                        (FKG.yuan, Literal(Decimal("6837000.00"))),
                        (FKG.measure, Literal("budget")), (FKG.category, Literal("total")),
                        (FKG.fund, Literal("general_public")), (FKG.fiscalYear, Literal(2024)),
                        (FKG.table, Literal("部门支出总体情况表")),
                        (FKG.tableKind, Literal("expenditure_by_function")),
                        (FKG.printedUnit, Literal("万元")), (FKG.of, dept),
                        (FKG.functionalClassification, subject)]:
        g.add((amount, prop, value))
    if with_document:
        g.add((doc, RDF.type, FKG.Document))
        for prop, value in [(FKG.id, Literal("x")),
                            (FKG.title, Literal("若羌县人民政府办公室2024年部门预算")),
                            (FKG.kind, Literal("budget")), (FKG.fiscalYear, Literal(2024)),
                            (FKG.source, Literal("ruoqiang.txt")),
                            (FKG.sha256, Literal("0" * 64)), (FKG.publishedBy, dept)]:
            g.add((doc, prop, value))
        g.add((amount, FKG.reportedIn, doc))
    return g


def test_shapes_accept_good_data_and_name_what_is_wrong() -> None:
    pyshacl = pytest.importorskip("pyshacl")
    ok, _, text = pyshacl.validate(_data("652824"), shacl_graph=_shapes(),
                                   ont_graph=ontology_graph(), inference="none")
    assert ok, text
    ok, _, text = pyshacl.validate(_data("65282", with_document=False), shacl_graph=_shapes(),
                                   ont_graph=ontology_graph(), inference="none")
    assert not ok
    assert "a region code is six digits" in text
    assert "an amount is reported in exactly one document" in text


# ------------------------------------------------------------------------------------------
# JSON-LD context
# ------------------------------------------------------------------------------------------


def test_context_file_is_derived_from_the_ontology() -> None:
    assert json.loads(CONTEXT_FILE.read_text(encoding="utf-8")) == jsonld_context()


def test_context_reads_json_ld_into_the_vocabulary() -> None:
    doc = {
        **json.loads(CONTEXT_FILE.read_text(encoding="utf-8")),
        "@id": "https://example.org/id/amount/a", "@type": "Amount",
        "yuan": "6837000.00", "fiscalYear": 2024, "measure": "budget",
        "functionalClassification": "https://example.org/id/functional-subject/201",
    }
    g = Graph()
    g.parse(data=json.dumps(doc), format="json-ld")
    a = URIRef("https://example.org/id/amount/a")
    assert (a, RDF.type, FKG.Amount) in g
    assert g.value(a, FKG.yuan) == Literal("6837000.00", datatype=rdf_ns.XSD.decimal)
    assert g.value(a, FKG.functionalClassification) == URIRef(
        "https://example.org/id/functional-subject/201")
    assert g.value(a, FKG.fiscalYear).toPython() == 2024
