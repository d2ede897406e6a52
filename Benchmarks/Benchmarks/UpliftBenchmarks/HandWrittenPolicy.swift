import Uplift

/// The reference policy written directly in idiomatic Swift, as a service team would without
/// Uplift: the practical speed limit the VM is compared with. Amounts are integer fen.
struct HandWrittenPolicy {
    enum Occupation { case employee, rider, blueCollar, student, selfEmployed, other }
    struct Certificate {
        var type: String
        var verified: Bool
        var confidencePermille: Int
        var forgerySuspected: Bool
        var expires: Int?
    }
    struct Applicant {
        var asOf: Int
        var age: Int
        var occupation: Occupation
        var jobTenureMonths: Int
        var accountAgeMonths: Int
        var currentLimit: Int
        var selfSetCap: Int?
        var monthlyIncome: Int?
        var maxOverdueDays: Int
        var fraudFlag: Bool
        var monthsSinceLastUplift: Int?
        var certificates: [Certificate]
    }

    static let minimum = [900, 850, 920] // professional, language, honor (permille)
    static let catalogue: [String: (category: Int, points: Int)] = [
        "teacher_qualification": (0, 40), "junior_accountant": (0, 30), "intermediate_accountant": (0, 50), "cpa": (0, 70),
        "legal_professional": (0, 70), "nurse_license": (0, 30), "electrician_license": (0, 25), "forklift_license": (0, 15),
        "chef_certificate": (0, 15), "ielts": (1, 30), "toefl": (1, 30), "cet6": (1, 20), "cet4": (1, 10), "jlpt_n1": (1, 25),
        "national_scholarship": (2, 35), "provincial_scholarship": (2, 20), "university_scholarship": (2, 10), "outstanding_graduate": (2, 15),
    ]

    /// Returns (outcome 0 approve / 1 decline / 2 refer / 3 no_change, uplift in fen).
    static func decide(_ a: Applicant) -> (Int, Int) {
        var declined = a.age < 18 || a.age > 60 || a.fraudFlag || a.maxOverdueDays > 3 || a.accountAgeMonths < 6
        if let m = a.monthsSinceLastUplift, m < 3 { declined = true }
        var best = [0, 0, 0]
        var accepted = 0
        var lowConfidence = false
        for c in a.certificates {
            if c.forgerySuspected { declined = true }
            guard let entry = catalogue[c.type], c.verified, !c.forgerySuspected, c.expires.map({ $0 >= a.asOf }) ?? true else { continue }
            if c.confidencePermille >= minimum[entry.category] {
                accepted += 1
                best[entry.category] = max(best[entry.category], entry.points)
            } else if c.confidencePermille >= 700 {
                lowConfidence = true
            }
        }
        if declined { return (1, 0) }
        if accepted == 0 { return (lowConfidence ? 2 : 3, 0) }
        let score = best[0] + best[1] + best[2]
        let base = score >= 90 ? 3000_00 : score >= 60 ? 1800_00 : score >= 40 ? 1000_00 : score >= 20 ? 500_00 : score >= 10 ? 200_00 : 0
        let (multiplier, maximum): (Int, Int) = switch a.occupation {
        case .student: (50, 500_00)
        case .employee where (22...30).contains(a.age) && a.jobTenureMonths <= 36: (120, 3000_00)
        case .rider: (100, 2000_00)
        case .blueCollar where a.jobTenureMonths <= 60: (100, 2000_00)
        default: (80, 2500_00)
        }
        var uplift = base * multiplier / 100
        uplift = min(uplift, maximum, max(0, 50000_00 - a.currentLimit))
        if let income = a.monthlyIncome { uplift = min(uplift, max(0, 3 * income - a.currentLimit)) }
        if let cap = a.selfSetCap { uplift = min(uplift, max(0, cap - a.currentLimit)) }
        uplift = uplift / 100_00 * 100_00
        if uplift < 100_00 { return (3, 0) }
        if uplift >= 2500_00 && a.accountAgeMonths < 12 { return (2, uplift) }
        return (0, uplift)
    }

    /// The same applicant the VM decides, read from its JSON: both run on identical inputs.
    static func applicant(_ json: JSONValue) -> Applicant? {
        func int(_ k: String) -> Int? { if case .number(let n)? = json[k] { return Int(n) }; return nil }
        func fen(_ v: JSONValue?) -> Int? {
            if case .number(let n)? = v, let d = FixedDecimal(parsing: Substring(n)) { return Int(d.raw / 10_000) }
            return nil
        }
        func day(_ v: JSONValue?) -> Int? {
            if case .string(let s)? = v { return daysSinceEpoch(s) }
            return nil
        }
        let occupations: [String: Occupation] = ["employee": .employee, "rider": .rider, "blue_collar": .blueCollar, "student": .student,
                                                 "self_employed": .selfEmployed, "other": .other]
        guard let asOf = day(json["as_of"]), let age = int("age"), case .string(let o)? = json["occupation"], let occupation = occupations[o],
              let tenure = int("job_tenure_months"), let account = int("account_age_months"), let limit = fen(json["current_limit"]),
              let overdue = int("max_overdue_days_12m"), case .bool(let fraud)? = json["fraud_flag"], case .array(let certs)? = json["certificates"]
        else { return nil }
        var certificates: [Certificate] = []
        for c in certs {
            guard case .string(let type)? = c["type"], case .bool(let verified)? = c["verified"], case .number(let conf)? = c["confidence"],
                  let confidence = FixedDecimal(parsing: Substring(conf)), case .bool(let forged)? = c["forgery_suspected"] else { return nil }
            certificates.append(Certificate(type: type, verified: verified, confidencePermille: Int(confidence.raw / 1_000),
                                            forgerySuspected: forged, expires: day(c["expires"])))
        }
        return Applicant(asOf: asOf, age: age, occupation: occupation, jobTenureMonths: tenure, accountAgeMonths: account, currentLimit: limit,
                         selfSetCap: fen(json["self_set_cap"]), monthlyIncome: fen(json["monthly_income"]), maxOverdueDays: overdue,
                         fraudFlag: fraud, monthsSinceLastUplift: int("months_since_last_uplift"), certificates: certificates)
    }
}

/// Days since 1970-01-01 of a valid `YYYY-MM-DD` date (Howard Hinnant's days-from-civil), written
/// here because Uplift's date parser is not public; nil for an impossible date (2024-02-30), as
/// Uplift's decoder refuses it.
func daysSinceEpoch(_ text: String) -> Int? {
    let parts = text.split(separator: "-")
    guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
          var y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]), (1...12).contains(m) else { return nil }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
    let monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    guard (1...monthDays[m - 1]).contains(d) else { return nil }
    y -= m <= 2 ? 1 : 0
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
}
