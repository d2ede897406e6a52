import XCTest
import UpliftBundle
@testable import UpliftChecker
import UpliftSyntax

/// Each analysis with a policy that triggers it and one that does not.
final class ConditionAnalysisTests: XCTestCase {
    func warnings(rules: String = "", schema: String = TestBundle.schema, segments: String = TestBundle.segments, bands: String = TestBundle.bands) throws -> [Diagnostic] {
        let tables = ["catalogue.yaml": TestBundle.catalogue, "bands.yaml": bands, "segments.yaml": segments]
        let (policy, diags, _) = try TestBundle.check(schema: schema, rules: TestBundle.rules + "\n" + rules, tables: tables)
        XCTAssertNotNil(policy, "\(diags.filter { $0.severity == .error })")
        return diags.filter { $0.severity == .warning && $0.code >= "W270" && $0.code <= "W279" }
    }

    func codes(_ ds: [Diagnostic]) -> [String] { ds.map(\.code) }

    func testRulesThatCanNeverApplyOrAlwaysApply() throws {
        let never = try warnings(rules: "reason R \"r\"\ndecline R when age < 18 and age > 60")
        XCTAssertEqual(codes(never), ["W270"])
        XCTAssertTrue(never[0].message.contains("`R` can never apply"))
        XCTAssertEqual(codes(try warnings(rules: "reason R \"r\"\ndecline R when age < 18 or age > 60")), [])
        // Through `not` and with the constant on the left.
        XCTAssertEqual(codes(try warnings(rules: "reason R \"r\"\nrefer R when not (age >= 18) and 60 < age")), ["W270"])
        XCTAssertEqual(codes(try warnings(rules: "reason R \"r\"\ndecline R when age >= 18 or age < 20")), ["W271"])
        XCTAssertEqual(codes(try warnings(rules: "reason R \"r\"\ndecline R when age >= 18 or age < 16")), [])
        // An enum compared with two different cases at once.
        XCTAssertEqual(codes(try warnings(rules: "reason R \"r\"\nno_change R when occupation == student and occupation == rider")), ["W270"])
    }

    func testDeclaredRangesCount() throws {
        let ranged = TestBundle.schema.replacingOccurrences(of: "age: integer", with: "age: integer between 18 and 70")
        // With ages declared 18–70, the base bundle's `decline LOW when age < 18` can never hold…
        let w = try warnings(schema: ranged)
        XCTAssertEqual(codes(w), ["W270"])
        XCTAssertTrue(w[0].message.contains("`LOW`"), w[0].message)
        // …while without a range it can.
        XCTAssertEqual(codes(try warnings()), [])
    }

    func testCapsWhoseWhenNeverOrAlwaysHolds() throws {
        XCTAssertEqual(codes(try warnings(rules: "reason C2 \"c\"\ncap C2 = 100 when age > 200 and age < 100")), ["W276"])
        XCTAssertEqual(codes(try warnings(rules: "reason C2 \"c\"\ncap C2 = 100 when age > 10 or age <= 10")), ["W277"])
        XCTAssertEqual(codes(try warnings(rules: "reason C2 \"c\"\ncap C2 = 100 when age > 10")), [])
    }

    func testSegmentsThatNeverMatchOrHideTheRest() throws {
        let hidden = TestBundle.segments.replacingOccurrences(of: "when: occupation == student", with: "when: true")
        let w = try warnings(segments: hidden)
        XCTAssertEqual(codes(w), ["W273"])
        XCTAssertTrue(w[0].message.contains("`general` after it can never be reached"))
        let never = TestBundle.segments.replacingOccurrences(of: "when: occupation == student", with: "when: occupation == student and occupation != student")
        XCTAssertEqual(codes(try warnings(segments: never)), ["W272"])
        XCTAssertEqual(codes(try warnings()), [])
    }

    func testExclusiveSegmentsThatOverlapComeWithAnExample() throws {
        let overlapping = """
        kind: segments
        name: segment
        exclusive: true
        columns:
          multiplier: decimal
        segments:
          - name: young
            when: age < 30
            multiplier: 1.2
          - name: student
            when: occupation == student and age >= 16
            multiplier: 0.5
          - name: general
            when: true
            multiplier: 1.0
        """
        let w = try warnings(segments: overlapping)
        XCTAssertEqual(codes(w), ["W274"])
        XCTAssertTrue(w[0].message.contains("`young` and `student`"), w[0].message)
        XCTAssertTrue(w[0].message.contains("for example age = 16, occupation = student"), w[0].message)
        // Disjoint conditions pass; the final catch-all is not an overlap.
        let disjoint = overlapping.replacingOccurrences(of: "when: age < 30", with: "when: age < 16")
        XCTAssertEqual(codes(try warnings(segments: disjoint)), [])
        // Without `exclusive`, the first match wins and overlaps are intended.
        XCTAssertEqual(codes(try warnings(segments: overlapping.replacingOccurrences(of: "exclusive: true\n", with: ""))), [])
    }

    func testBandsTheInputCanNeverReach() throws {
        let ranged = TestBundle.schema.replacingOccurrences(of: "age: integer", with: "age: integer between 18 and 45")
        let byAge = TestBundle.bands.replacingOccurrences(of: "input: score", with: "input: age")
        let w = try warnings(schema: ranged, bands: byAge).filter { $0.code == "W275" }
        // Ages 18–45 never reach 0–9 nor ≥ 50.
        XCTAssertEqual(codes(w), ["W275", "W275"])
        XCTAssertTrue(w[0].message.contains("stays within 18 to 45"), w[0].message)
        XCTAssertEqual(codes(try warnings(bands: byAge)), [])
    }

    func testTheReferenceShapesOfConditionsRaiseNothing() throws {
        // Optional values narrowed by `is present`, lists, lookups and `between` are left alone.
        let rules = """
        reason R1 "r1"
        reason R2 "r2"
        decline R1 when monthly_income is present and monthly_income < 1000
        refer R2 when count(certificates) == 0 and age between 18 and 60
        """
        XCTAssertEqual(codes(try warnings(rules: rules)), [])
    }

    func tableErrors(catalogue: String = TestBundle.catalogue, segments: String = TestBundle.segments) throws -> [Diagnostic] {
        let tables = ["catalogue.yaml": catalogue, "bands.yaml": TestBundle.bands, "segments.yaml": segments]
        return try TestBundle.check(tables: tables).1.filter { $0.severity == .error }
    }

    func testACertificateTypeInTwoCategories() throws {
        let twice = TestBundle.catalogue.replacingOccurrences(of: "      ielts: 30", with: "      ielts: 30\n      cpa: 20")
        let e = try tableErrors(catalogue: twice)
        XCTAssertEqual(codes(e), ["E232"])
        XCTAssertTrue(e[0].message.contains("`cpa` is listed in two places"), e[0].message)
        XCTAssertEqual(e[0].notes.count, 1, "points at the first listing")
        XCTAssertEqual(codes(try tableErrors()), [])
    }

    func testAKeyWrittenPlainAndQuotedIsOneKey() throws {
        // Uplift reads every key as text, so `true:` and `"true":` (or `1:` and `"1":`) are the
        // same key: Yams' duplicate check, now without tag resolution, refuses them at the first.
        for key in ["true", "1"] {
            let twice = TestBundle.catalogue.replacingOccurrences(of: "      ielts: 30", with: "      \(key): 5\n      \"\(key)\": 6\n      ielts: 30")
            let tables = ["catalogue.yaml": twice, "bands.yaml": TestBundle.bands, "segments.yaml": TestBundle.segments]
            let (_, d, sources) = try TestBundle.check(tables: tables)
            let dup = try XCTUnwrap(d.first { $0.code == "E301" }, key)
            XCTAssertEqual(dup.message, "malformed YAML: duplicate key \(key)")
            let line = try XCTUnwrap(twice.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0 == "      \(key): 5" }) + 1
            XCTAssertEqual(sources.describe(dup.span).split(separator: ":").suffix(2).joined(separator: ":"), "\(line):7")
        }
    }

    func testDuplicateKeysInATable() throws {
        let duplicate = TestBundle.segments.replacingOccurrences(of: "    multiplier: 0.5", with: "    multiplier: 0.5\n    multiplier: 0.6")
        let e = try tableErrors(segments: duplicate)
        let dup = try XCTUnwrap(e.first { $0.code == "E301" })
        XCTAssertTrue(dup.message.contains("duplicate key"), dup.message)
        XCTAssertEqual(dup.help, "each key may appear once in a mapping")
        // The table could not be read, so rules reading it say where the problem really is.
        for other in e where other.code == "E260" { XCTAssertTrue(other.help?.contains("segments.yaml") == true, other.help ?? "") }
        XCTAssertEqual(codes(try tableErrors()), [])
    }
}
