//! The slice-at-a-time reader, with input arriving in random pieces and read in random slices: its result
//! must equal the whole reader's (the same trace set, or the same error).
#![no_main]
use spanlens::formats::{parse, IncrementalParse};
use spanlens::testing::render;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let [arrival, budget, input @ ..] = data else { return };
    let (arrival, budget) = (1 + *arrival as usize * 7, 1 + *budget as usize * 13);
    let mut sliced = IncrementalParse::new("input.json");
    for end in (0..input.len()).step_by(arrival).skip(1).chain([input.len()]) {
        sliced.arrived(&input[..end]);
        sliced.step_arriving(&input[..end], budget);
    }
    while !sliced.step(input, budget) {}
    match (parse("input.json", input), sliced.finish(input)) {
        (Ok(whole), Ok(sliced)) => assert_eq!(render(&whole), render(&sliced)),
        (Err(whole), Err(sliced)) => assert_eq!(whole, sliced),
        (whole, sliced) => panic!("whole: {:?}, sliced: {:?}", whole.err(), sliced.err()),
    }
});
