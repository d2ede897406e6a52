import UpliftRuntime

// Hooks for differential tests and the fuzzer, which live outside this package (`Fuzz/`) and
// so cannot see `package` declarations. `@_spi(Testing)`: a client sees them only with
// `@_spi(Testing) import Uplift`; they are not part of the API.
extension Policy {
    /// Reads an applicant with the full JSON decoder alone, bypassing the byte-level reader
    /// that every other entry point tries first: the fuzzer and the differential tests check
    /// that the two accept the same records with the same meaning and the same errors.
    @_spi(Testing) public func applicantWithFullDecoder(utf8 bytes: UnsafeBufferPointer<UInt8>, options: ApplicantOptions,
                                                        unknown: inout [UnknownField]) throws(ApplicantError) -> Applicant {
        try evaluator.decoder.decode(utf8: bytes, options: options, unknown: &unknown, reader: .full)
    }
}
