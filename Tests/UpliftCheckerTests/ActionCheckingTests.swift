import Foundation
import XCTest
import UpliftBundle
@testable import UpliftChecker
import UpliftSyntax

/// The checker refuses actions a what-if must never suggest, at the line of the actions file.
final class ActionCheckingTests: XCTestCase {
    let schema = TestBundle.schema.replacingOccurrences(of: "  age: integer\n", with: "  age: integer immutable\n")
        .replacingOccurrences(of: "  monthly_income: money optional\n", with: "  monthly_income: money optional between 0 and 1000000\n  tenure_months: integer between 0 and 1200\n")

    func check(_ actions: String) throws -> (CheckedPolicy?, [Diagnostic], SourceMap) {
        try TestBundle.check(schema: schema, actions: actions)
    }

    /// The one error `actions` gives: its code and its `path:line:column`.
    func error(_ actions: String, file: StaticString = #filePath, line: UInt = #line) throws -> (code: String, at: String, message: String) {
        let (_, diags, sources) = try check(actions)
        let errors = diags.filter { $0.severity == .error }
        XCTAssertEqual(errors.count, 1, errors.map { DiagnosticRenderer.render($0, in: sources) }.joined(), file: file, line: line)
        guard let e = errors.first else { return ("", "", "") }
        return (e.code, sources.describe(e.span), e.message)
    }

    func testAGoodActionsFileChecks() throws {
        let (policy, diags, sources) = try check("""
        actions:
          - name: add_certificate
            add: certificates
            each: { type: catalogue }
            set: { verified: true, expires: ~ }
            lowest: confidence
            says: "if you hold a certificate of type {type}"
          - name: read_again
            raise: certificates.confidence
            says: "if certificate {n} were read again"
          - name: wait
            wait: [tenure_months]
            up_to: 12
            says: "in {months} months"
          - name: income
            raise: monthly_income
            says: "if your income were {value}"
        """)
        XCTAssertEqual(diags.filter { $0.severity == .error }.map { DiagnosticRenderer.render($0, in: sources) }, [])
        XCTAssertEqual(policy?.actions.map(\.name), ["add_certificate", "read_again", "wait", "income"])
        if case .add(_, _)? = policy?.actions.first?.kind {} else { XCTFail("add") }
        XCTAssertEqual(policy?.actions.first?.each?.values.count, 3, "the catalogue's three keys")
    }

    func testProtectedPersonalAndImmutableFactsAreRefused() throws {
        let protected = try error("actions:\n  - name: g\n    raise: gender\n    says: \"x\"\n")
        // gender is an enum: protected comes first, whatever the type.
        XCTAssertEqual(protected.code, "E342")
        XCTAssertTrue(protected.at.hasSuffix("actions.yaml:3:12"), protected.at)
        let personal = try error("actions:\n  - name: p\n    add: certificates\n    each: { type: catalogue }\n    set: { verified: true }\n    lowest: confidence\n    says: \"x\"\n  - name: q\n    wait: [id]\n    says: \"in {months}\"\n")
        XCTAssertEqual(personal.code, "E343")
        XCTAssertTrue(personal.at.hasSuffix("actions.yaml:9:12"), personal.at)
        let fixed = try error("actions:\n  - name: a\n    wait: [age]\n    says: \"in {months}\"\n")
        XCTAssertEqual(fixed.code, "E344")
        XCTAssertTrue(fixed.message.contains("immutable"), fixed.message)
    }

    func testRemovingInformationIsRefused() throws {
        let e = try error("actions:\n  - name: drop\n    remove: monthly_income\n    says: \"if you did not say your income\"\n")
        XCTAssertEqual(e.code, "E346")
        XCTAssertTrue(e.at.hasSuffix("actions.yaml:3:5"), e.at)
    }

    func testMistakesAreLocatedWithAFix() throws {
        let unknown = try error("actions:\n  - name: a\n    raise: montly_income\n    says: \"x {value}\"\n")
        XCTAssertEqual(unknown.code, "E341")
        let (_, diags, _) = try check("actions:\n  - name: a\n    raise: montly_income\n    says: \"x {value}\"\n")
        XCTAssertEqual(diags.first { $0.code == "E341" }?.help, "did you mean `monthly_income`?")
        XCTAssertEqual(try error("actions:\n  - name: a\n    raise: occupation\n    says: \"x\"\n").code, "E345", "not a number")
        XCTAssertEqual(try error("actions:\n  - name: a\n    add: certificates\n    each: { type: catalogue }\n    says: \"x\"\n").code, "E345", "verified and confidence missing")
        XCTAssertEqual(try error("actions:\n  - name: a\n    add: certificates\n    each: type\n    set: { verified: true }\n    lowest: confidence\n    says: \"x\"\n").code, "E347", "a string needs its catalogue")
        XCTAssertEqual(try error("actions:\n  - name: a\n    add: certificates\n    each: { type: catalog }\n    set: { verified: true }\n    lowest: confidence\n    says: \"x\"\n").code, "E341")
        XCTAssertEqual(try error("actions:\n  - name: a\n    raise: monthly_income\n    says: \"x {type}\"\n").code, "E348")
        XCTAssertEqual(try error("actions:\n  - name: a\n    raise: monthly_income\n    says: \"x\"\n  - name: a\n    raise: monthly_income\n    says: \"y\"\n").code, "E349")
        XCTAssertEqual(try error("actions:\n  - name: a\n    raise: monthly_income\n    wait: [tenure_months]\n    says: \"x\"\n").code, "E340")
        XCTAssertEqual(try error("actions:\n  - name: a\n    add: certificates\n    each: { type: catalogue }\n    set: { verified: maybe }\n    lowest: confidence\n    says: \"x\"\n").code, "E345", "not a bool")
        XCTAssertEqual(try error("actions:\n  - name: a\n    raise: monthly_income\n    set: { verified: true }\n    says: \"x\"\n").code, "E347", "set without add")
    }
}
