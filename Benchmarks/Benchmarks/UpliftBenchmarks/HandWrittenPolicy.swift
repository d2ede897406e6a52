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
}
