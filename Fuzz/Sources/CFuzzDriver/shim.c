/* libFuzzer provides LLVMFuzzerRunDriver; this target only carries its declaration. */
