import XCTest
import UpliftBundle
@testable import UpliftChecker
import UpliftSyntax

final class CheckerTests: XCTestCase {
    func errors(rules: String) throws -> [Diagnostic] {
        try TestBundle.check(rules: TestBundle.rules + "\n" + rules).1.filter { $0.severity == .error }
    }

    func testTheBaseBundleIsClean() throws {
        let (policy, diags, _) = try TestBundle.check()
        XCTAssertNotNil(policy)
        XCTAssertEqual(diags.filter { $0.severity == .error }.count, 0, "\(diags)")
    }

    func testUnknownNameSuggestsTheClosest() throws {
        let e = try errors(rules: "decline LOW when curent_limit > 3")
        XCTAssertEqual(e.map(\.code), ["E260"])
        XCTAssertEqual(e.first?.help, "did you mean `current_limit`?")
    }

    func testTypeMismatches() throws {
        XCTAssertEqual(try errors(rules: #"decline LOW when current_limit > "abc""#).map(\.code), ["E270"])
        XCTAssertEqual(try errors(rules: "decline LOW when as_of > 3").map(\.code), ["E270"])
        let confidence = try errors(rules: "let bad = current_limit + (max(c.confidence for c in certificates) otherwise 0)\nreport bad")
        XCTAssertEqual(confidence.map(\.code), ["E270"])
        XCTAssertTrue(confidence.first?.message.contains("money") == true)
        XCTAssertEqual(try errors(rules: "decline LOW when occupation == pilot").map(\.code), ["E260"])
        XCTAssertEqual(try errors(rules: "decline LOW when occupation < student").map(\.code), ["E272"])
    }

    func testOptionalValuesMustBeHandled() throws {
        XCTAssertEqual(try errors(rules: "decline LOW when monthly_income > 100").map(\.code), ["E252"])
        XCTAssertEqual(try errors(rules: "decline LOW when monthly_income is present and monthly_income > 100"), [])
        XCTAssertEqual(try errors(rules: "decline LOW when monthly_income is missing or monthly_income > 100"), [])
        XCTAssertEqual(try errors(rules: "decline LOW when (monthly_income otherwise 0) > 100"), [])
    }

    func testKeyFieldIsOneRequiredScalarFact() throws {
        func codes(_ schema: String) throws -> [String] {
            try TestBundle.check(schema: schema).1.filter { $0.severity == .error }.map(\.code)
        }
        let marked = TestBundle.schema.replacingOccurrences(of: "id: string pii", with: "id: string pii key")
        XCTAssertEqual(try codes(marked), [])
        let (policy, _, _) = try TestBundle.check(schema: marked)
        XCTAssertEqual(policy?.schema.keyField, 0)
        XCTAssertEqual(try TestBundle.check().0?.schema.keyField, nil)
        // Two keys; an optional key; a key inside a record.
        XCTAssertEqual(try codes(marked.replacingOccurrences(of: "age: integer", with: "age: integer key")), ["E214"])
        XCTAssertEqual(try codes(TestBundle.schema.replacingOccurrences(of: "id: string pii", with: "id: string pii key optional")), ["E213"])
        XCTAssertEqual(try codes(TestBundle.schema.replacingOccurrences(of: "type: string", with: "type: string key")), ["E213"])
    }

    func testSampleHintsAreCheckedAgainstTheirField() throws {
        func codes(_ replace: String, with: String) throws -> [String] {
            let schema = TestBundle.schema.replacingOccurrences(of: replace, with: with)
            XCTAssertNotEqual(schema, TestBundle.schema)
            return try TestBundle.check(schema: schema).1.filter { $0.severity == .error }.map(\.code)
        }
        // Good hints: a range and thresholds, enum weights, absence, list length, bare strings.
        XCTAssertEqual(try codes("age: integer", with: "age: integer sample between 18 and 60 or [17, 61]"), [])
        XCTAssertEqual(try codes("occupation: enum(employee, rider, student)", with: "occupation: enum(employee, rider, student) sample [employee: 3, rider: 1]"), [])
        XCTAssertEqual(try codes("monthly_income: money optional", with: "monthly_income: money optional sample between 1000 and 9000.50 absent 20 percent"), [])
        XCTAssertEqual(try codes("certificates: list of Certificate", with: "certificates: list of Certificate sample length between 0 and 4"), [])
        XCTAssertEqual(try codes("type: string", with: "type: string sample [cpa: 2, \"ielts\"]"), [])
        let (policy, _, _) = try TestBundle.check(schema: TestBundle.schema.replacingOccurrences(of: "age: integer", with: "age: integer sample between 18 and 60 or [17]"))
        XCTAssertEqual(policy?.schema.facts.fields.first { $0.name == "age" }?.hint?.range, 18...60)
        // Mistakes: a case that does not exist, absence on a required field, length on a scalar,
        // a reversed range, a range on an enum.
        XCTAssertEqual(try codes("occupation: enum(employee, rider, student)", with: "occupation: enum(employee, rider, student) sample [pilot]"), ["E215"])
        XCTAssertEqual(try codes("age: integer", with: "age: integer sample absent 10 percent"), ["E215"])
        XCTAssertEqual(try codes("age: integer", with: "age: integer sample length between 0 and 2"), ["E215"])
        XCTAssertEqual(try codes("age: integer", with: "age: integer sample between 60 and 18"), ["E215"])
        XCTAssertEqual(try codes("occupation: enum(employee, rider, student)", with: "occupation: enum(employee, rider, student) sample between 1 and 2"), ["E215"])
    }

    func testCyclesAreReported() throws {
        let e = try errors(rules: "let a = b + 1\nlet b = a + 1\nreport a")
        XCTAssertTrue(e.contains { $0.code == "E220" && $0.message.contains("`a` → `b` → `a`") || $0.message.contains("`b` → `a` → `b`") }, "\(e)")
    }

    func testReasonCodesDeclaredOnceAndUsedByName() throws {
        XCTAssertEqual(try errors(rules: #"reason LOW "again""#).map(\.code), ["E210"])
        let undeclared = try errors(rules: "refer LOWW when age > 99")
        XCTAssertEqual(undeclared.map(\.code), ["E212"])
        XCTAssertEqual(undeclared.first?.help, "did you mean `LOW`?")
        let (_, diags, _) = try TestBundle.check(rules: TestBundle.rules + "\nreason SPARE \"never used\"")
        XCTAssertTrue(diags.contains { $0.code == "W210" && $0.severity == .warning })
    }

    func testProtectedAttributeDirectlyAndThroughAValue() throws {
        XCTAssertEqual(try errors(rules: "decline LOW when gender == female").map(\.code), ["E298"])
        let indirect = try errors(rules: "let g = gender == male\nlet h = g and age > 20\nrefer LOW when h")
        XCTAssertEqual(indirect.map(\.code), ["E298"])
        XCTAssertTrue(indirect.first?.notes.contains { $0.0.contains("uses `h`") } == true, "\(indirect)")
        // Reading it in a value nothing decides on is only an unused value.
        let (_, diags, _) = try TestBundle.check(rules: TestBundle.rules + "\nlet idle = gender == male")
        XCTAssertEqual(diags.filter { $0.severity == .error }.count, 0)
        XCTAssertTrue(diags.contains { $0.code == "W220" })
    }

    func testProtectedAttributeInASegmentCondition() throws {
        let segs = TestBundle.segments.replacingOccurrences(of: "when: occupation == student", with: "when: gender == female")
        let (_, diags, sources) = try TestBundle.check(tables: ["catalogue.yaml": TestBundle.catalogue, "bands.yaml": TestBundle.bands, "segments.yaml": segs])
        let e = diags.filter { $0.code == "E298" }
        XCTAssertEqual(e.count, 1)
        XCTAssertEqual(sources.describe(e[0].span).hasSuffix("segments.yaml:7:11"), true, sources.describe(e[0].span))
    }

    func testBandOverlapAndGap() throws {
        let overlap = TestBundle.bands.replacingOccurrences(of: "from: 10, to: 49", with: "from: 9, to: 49")
        var (_, diags, _) = try TestBundle.check(tables: ["catalogue.yaml": TestBundle.catalogue, "bands.yaml": overlap, "segments.yaml": TestBundle.segments])
        XCTAssertEqual(diags.filter { $0.severity == .error }.map(\.code), ["E238"])
        let gap = TestBundle.bands.replacingOccurrences(of: "from: 50", with: "from: 60")
        (_, diags, _) = try TestBundle.check(tables: ["catalogue.yaml": TestBundle.catalogue, "bands.yaml": gap, "segments.yaml": TestBundle.segments])
        XCTAssertEqual(diags.filter { $0.severity == .error }.map(\.code), ["E239"])
        XCTAssertTrue(diags.first { $0.code == "E239" }?.message.contains("50–59") == true)
    }

    func testTableShapeErrors() throws {
        let noAmount = TestBundle.bands.replacingOccurrences(of: "{ from: 10, to: 49, base: 500 }", with: "{ from: 10, to: 49 }")
        var (_, diags, _) = try TestBundle.check(tables: ["catalogue.yaml": TestBundle.catalogue, "bands.yaml": noAmount, "segments.yaml": TestBundle.segments])
        XCTAssertTrue(diags.contains { $0.code == "E306" && $0.message.contains("`base`") }, "\(diags)")
        let noWhen = TestBundle.segments.replacingOccurrences(of: "    when: occupation == student\n", with: "")
        (_, diags, _) = try TestBundle.check(tables: ["catalogue.yaml": TestBundle.catalogue, "bands.yaml": TestBundle.bands, "segments.yaml": noWhen])
        XCTAssertTrue(diags.contains { $0.code == "E306" && $0.message.contains("`when`") }, "\(diags)")
        let typo = TestBundle.segments.replacingOccurrences(of: "multiplier: 0.5", with: "multipler: 0.5")
        (_, diags, _) = try TestBundle.check(tables: ["catalogue.yaml": TestBundle.catalogue, "bands.yaml": TestBundle.bands, "segments.yaml": typo])
        XCTAssertTrue(diags.contains { $0.code == "E305" && $0.help == "did you mean `multiplier`?" }, "\(diags)")
    }

    func testEmbeddedExpressionErrorsPointIntoTheYAML() throws {
        let bad = TestBundle.segments.replacingOccurrences(of: "when: occupation == student", with: "when: occupaton == student")
        let (_, diags, sources) = try TestBundle.check(tables: ["catalogue.yaml": TestBundle.catalogue, "bands.yaml": TestBundle.bands, "segments.yaml": bad])
        let e = try XCTUnwrap(diags.first { $0.code == "E260" })
        XCTAssertTrue(sources.describe(e.span).hasSuffix("segments.yaml:7:11"), sources.describe(e.span))
        XCTAssertEqual(sources.text(e.span), "occupaton")
    }

    func testMalformedYAMLIsLocated() throws {
        let broken = TestBundle.segments.replacingOccurrences(of: "    multiplier: 0.5", with: "   multiplier: 0.5")
        let (_, diags, sources) = try TestBundle.check(tables: ["catalogue.yaml": TestBundle.catalogue, "bands.yaml": TestBundle.bands, "segments.yaml": broken])
        let e = try XCTUnwrap(diags.first { $0.code == "E301" })
        XCTAssertTrue(sources.describe(e.span).contains("segments.yaml:"), sources.describe(e.span))
    }

    func testLastSegmentMustCatchEveryone() throws {
        let noCatchAll = TestBundle.segments.replacingOccurrences(of: "when: true", with: "when: occupation == rider")
        let (_, diags, _) = try TestBundle.check(tables: ["catalogue.yaml": TestBundle.catalogue, "bands.yaml": TestBundle.bands, "segments.yaml": noCatchAll])
        XCTAssertEqual(diags.filter { $0.severity == .error }.map(\.code), ["E241"])
    }

    func testUnusedValueAndTableAreWarnings() throws {
        let rules = TestBundle.rules.replacingOccurrences(of: "amount = amount_band.base * segment.multiplier", with: "amount = current_limit * segment.multiplier")
        let (policy, diags, _) = try TestBundle.check(rules: rules + "\nlet spare = age + 1")
        XCTAssertNotNil(policy)
        XCTAssertTrue(diags.contains { $0.code == "W220" })
        XCTAssertTrue(diags.contains { $0.code == "W230" })
    }

    func testSchemaErrors() throws {
        let schema = TestBundle.schema.replacingOccurrences(of: "age: integer", with: "age: integr")
        let (_, diags, _) = try TestBundle.check(schema: schema)
        let e = try XCTUnwrap(diags.first { $0.code == "E209" })
        XCTAssertEqual(e.help, "did you mean `integer`?")
    }

    func testEvaluationOrderPutsDependenciesFirst() throws {
        let (policy, _, _) = try TestBundle.check()
        let order = try XCTUnwrap(policy).order
        let score = try XCTUnwrap(order.firstIndex(of: .value(0)))
        let band = try XCTUnwrap(order.firstIndex(of: .band(0)))
        let uplift = try XCTUnwrap(order.firstIndex(of: .uplift))
        XCTAssertLessThan(score, band)
        XCTAssertLessThan(band, uplift)
    }
}
