//! Exact-string tests for `pyrustgrad_core::display`.
//!
//! Every expected string below is what PyTorch 2.15 printed for the same
//! tensor and print options (float32 values are passed widened to f64, as
//! the caller does). Each test name says the rule it pins.

use pyrustgrad_core::display::{
    dtype_suffix_needed, format_tensor, get_print_options, set_print_options, PrintOptions, Values,
};

/// 0-d float32 in fixed notation.
#[test]
fn test_scalar_float_prints_four_decimals() {
    let values: Vec<f64> = vec![5.7270002365112305];
    let got = format_tensor(Values::Float(&values), &[], &[], &PrintOptions::default());
    assert_eq!(got, "tensor(5.7270)");
}

/// 0-d zero: no nonzero value, so int mode.
#[test]
fn test_scalar_zero_prints_int_mode_dot() {
    let values: Vec<f64> = vec![0.0];
    let got = format_tensor(Values::Float(&values), &[], &[], &PrintOptions::default());
    assert_eq!(got, "tensor(0.)");
}

/// Python keeps the sign of -0.0.
#[test]
fn test_scalar_negative_zero_keeps_sign() {
    let values: Vec<f64> = vec![-0.0];
    let got = format_tensor(Values::Float(&values), &[], &[], &PrintOptions::default());
    assert_eq!(got, "tensor(-0.)");
}

/// int64 is a default dtype.
#[test]
fn test_scalar_int64_has_no_dtype_suffix() {
    let values: Vec<i64> = vec![3];
    let got = format_tensor(Values::Int(&values), &[], &[], &PrintOptions::default());
    assert_eq!(got, "tensor(3)");
}

/// bool prints True/False.
#[test]
fn test_scalar_bool_prints_python_spelling() {
    let values: Vec<bool> = vec![true];
    let got = format_tensor(Values::Bool(&values), &[], &[], &PrintOptions::default());
    assert_eq!(got, "tensor(True)");
}

/// suffix after a 0-d body.
#[test]
fn test_scalar_with_grad_fn_suffix() {
    let values: Vec<f64> = vec![5.7270002365112305];
    let got = format_tensor(
        Values::Float(&values),
        &[],
        &["grad_fn=<SumBackward0>".to_string()],
        &PrintOptions::default(),
    );
    assert_eq!(got, "tensor(5.7270, grad_fn=<SumBackward0>)");
}

/// min < 1e-4 switches to scientific.
#[test]
fn test_scalar_tiny_uses_sci() {
    let values: Vec<f64> = vec![9.999999747378752e-06];
    let got = format_tensor(Values::Float(&values), &[], &[], &PrintOptions::default());
    assert_eq!(got, "tensor(1.0000e-05)");
}

/// non-finite only: int mode, no dot.
#[test]
fn test_scalar_nan() {
    let values: Vec<f64> = vec![f64::NAN];
    let got = format_tensor(Values::Float(&values), &[], &[], &PrintOptions::default());
    assert_eq!(got, "tensor(nan)");
}

/// negative values widen the column.
#[test]
fn test_row_mixed_sign_right_aligned() {
    let values: Vec<f64> = vec![0.6668999791145325, 0.45489999651908875, -0.8281000256538391];
    let got = format_tensor(Values::Float(&values), &[3], &[], &PrintOptions::default());
    assert_eq!(got, "tensor([ 0.6669,  0.4549, -0.8281])");
}

/// plain fixed notation.
#[test]
fn test_row_fixed_point() {
    let values: Vec<f64> = vec![0.10000000149011612, 0.20000000298023224];
    let got = format_tensor(Values::Float(&values), &[2], &[], &PrintOptions::default());
    assert_eq!(got, "tensor([0.1000, 0.2000])");
}

/// 1e-5 triggers scientific.
#[test]
fn test_row_sci_when_min_below_1e_minus_4() {
    let values: Vec<f64> = vec![9.999999747378752e-06, 1.0];
    let got = format_tensor(Values::Float(&values), &[2], &[], &PrintOptions::default());
    assert_eq!(got, "tensor([1.0000e-05, 1.0000e+00])");
}

/// integral values still go sci on a wide range.
#[test]
fn test_row_int_valued_sci_when_ratio_over_1000() {
    let values: Vec<f64> = vec![1.0, 100000000.0, -1.0];
    let got = format_tensor(Values::Float(&values), &[3], &[], &PrintOptions::default());
    assert_eq!(got, "tensor([ 1.0000e+00,  1.0000e+08, -1.0000e+00])");
}

/// nan/inf get no trailing dot.
#[test]
fn test_row_nan_inf_int_mode() {
    let values: Vec<f64> = vec![f64::NAN, f64::INFINITY, 1.0];
    let got = format_tensor(Values::Float(&values), &[3], &[], &PrintOptions::default());
    assert_eq!(got, "tensor([nan, inf, 1.])");
}

/// no finite nonzero value: width 1.
#[test]
fn test_row_neg_inf_and_nan_only() {
    let values: Vec<f64> = vec![f64::NAN, f64::NEG_INFINITY];
    let got = format_tensor(Values::Float(&values), &[2], &[], &PrintOptions::default());
    assert_eq!(got, "tensor([nan, -inf])");
}

/// zeros are not measured for width.
#[test]
fn test_row_negative_zero_not_measured() {
    let values: Vec<f64> = vec![-0.0, 1.0];
    let got = format_tensor(Values::Float(&values), &[2], &[], &PrintOptions::default());
    assert_eq!(got, "tensor([-0., 1.])");
}

/// non-finite values are padded to the sci width.
#[test]
fn test_row_nan_padded_in_sci_mode() {
    let values: Vec<f64> = vec![f64::NAN, 9.999999974752427e-07, f64::NEG_INFINITY];
    let got = format_tensor(Values::Float(&values), &[3], &[], &PrintOptions::default());
    assert_eq!(got, "tensor([       nan, 1.0000e-06,       -inf])");
}

/// integer tensor.
#[test]
fn test_row_int64() {
    let values: Vec<i64> = vec![0, 1, 10];
    let got = format_tensor(Values::Int(&values), &[3], &[], &PrintOptions::default());
    assert_eq!(got, "tensor([ 0,  1, 10])");
}

/// integers are right-aligned.
#[test]
fn test_row_int64_negative_alignment() {
    let values: Vec<i64> = vec![-100, 5, 23];
    let got = format_tensor(Values::Int(&values), &[3], &[], &PrintOptions::default());
    assert_eq!(got, "tensor([-100,    5,   23])");
}

/// bool tensor.
#[test]
fn test_row_bool() {
    let values: Vec<bool> = vec![true, false];
    let got = format_tensor(Values::Bool(&values), &[2], &[], &PrintOptions::default());
    assert_eq!(got, "tensor([ True, False])");
}

/// Python rounds exact ties half-to-even.
#[test]
fn test_row_rounding_ties_to_even() {
    let values: Vec<f64> = vec![0.03125, 0.09375, 1.5];
    let got = format_tensor(
        Values::Float(&values),
        &[3],
        &["dtype=torch.float64".to_string()],
        &PrintOptions::default(),
    );
    assert_eq!(got, "tensor([0.0312, 0.0938, 1.5000], dtype=torch.float64)");
}

/// rounding 9.99995 widens the column.
#[test]
fn test_row_rounds_up_into_wider_column() {
    let values: Vec<f64> = vec![9.99996, 0.5];
    let got = format_tensor(
        Values::Float(&values),
        &[2],
        &["dtype=torch.float64".to_string()],
        &PrintOptions::default(),
    );
    assert_eq!(got, "tensor([10.0000,  0.5000], dtype=torch.float64)");
}

/// big integral values stay in int mode.
#[test]
fn test_row_large_int_mode_below_1e8() {
    let values: Vec<f64> = vec![12345678.0, 50000.0];
    let got = format_tensor(
        Values::Float(&values),
        &[2],
        &["dtype=torch.float64".to_string()],
        &PrintOptions::default(),
    );
    assert_eq!(got, "tensor([12345678.,    50000.], dtype=torch.float64)");
}

/// max > 1e8 with a small ratio.
#[test]
fn test_row_huge_value_sci() {
    let values: Vec<f64> = vec![200000000.0, 300000000.0];
    let got = format_tensor(
        Values::Float(&values),
        &[2],
        &["dtype=torch.float64".to_string()],
        &PrintOptions::default(),
    );
    assert_eq!(got, "tensor([2.0000e+08, 3.0000e+08], dtype=torch.float64)");
}

/// exponents keep all their digits.
#[test]
fn test_row_exponent_three_digits() {
    let values: Vec<f64> = vec![1e-300, 1e+300];
    let got = format_tensor(
        Values::Float(&values),
        &[2],
        &["dtype=torch.float64".to_string()],
        &PrintOptions::default(),
    );
    assert_eq!(
        got,
        "tensor([1.0000e-300, 1.0000e+300], dtype=torch.float64)"
    );
}

/// the README example.
#[test]
fn test_matrix_with_requires_grad() {
    let values: Vec<f64> = vec![
        0.6668999791145325,
        0.45489999651908875,
        -0.8281000256538391,
        1.457800030708313,
        0.6000999808311462,
        -1.401900053024292,
    ];
    let got = format_tensor(
        Values::Float(&values),
        &[2, 3],
        &["requires_grad=True".to_string()],
        &PrintOptions::default(),
    );
    assert_eq!(got, "tensor([[ 0.6669,  0.4549, -0.8281],\n        [ 1.4578,  0.6001, -1.4019]], requires_grad=True)");
}

/// integral floats print with a trailing dot.
#[test]
fn test_matrix_of_ones_int_mode() {
    let values: Vec<f64> = vec![1.0, 1.0, 1.0, 1.0, 1.0, 1.0];
    let got = format_tensor(
        Values::Float(&values),
        &[2, 3],
        &[],
        &PrintOptions::default(),
    );
    assert_eq!(got, "tensor([[1., 1., 1.],\n        [1., 1., 1.]])");
}

/// int matrix.
#[test]
fn test_matrix_int64() {
    let values: Vec<i64> = vec![1, -2, 30, 4];
    let got = format_tensor(Values::Int(&values), &[2, 2], &[], &PrintOptions::default());
    assert_eq!(got, "tensor([[ 1, -2],\n        [30,  4]])");
}

/// 3-D blocks are separated by a blank line.
#[test]
fn test_cube_blank_line_between_blocks() {
    let values: Vec<f64> = vec![
        0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0,
        17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0,
    ];
    let got = format_tensor(
        Values::Float(&values),
        &[2, 3, 4],
        &[],
        &PrintOptions::default(),
    );
    assert_eq!(got, "tensor([[[ 0.,  1.,  2.,  3.],\n         [ 4.,  5.,  6.,  7.],\n         [ 8.,  9., 10., 11.]],\n\n        [[12., 13., 14., 15.],\n         [16., 17., 18., 19.],\n         [20., 21., 22., 23.]]])");
}

/// 4-D: dim-1 newlines between top-level blocks.
#[test]
fn test_four_d_two_blank_lines() {
    let values: Vec<i64> = vec![0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
    let got = format_tensor(
        Values::Int(&values),
        &[2, 2, 2, 2],
        &[],
        &PrintOptions::default(),
    );
    assert_eq!(got, "tensor([[[[ 0,  1],\n          [ 2,  3]],\n\n         [[ 4,  5],\n          [ 6,  7]]],\n\n\n        [[[ 8,  9],\n          [10, 11]],\n\n         [[12, 13],\n          [14, 15]]]])");
}

/// (0,) prints no size.
#[test]
fn test_empty_1d() {
    let values: Vec<f64> = vec![];
    let got = format_tensor(Values::Float(&values), &[0], &[], &PrintOptions::default());
    assert_eq!(got, "tensor([])");
}

/// non-1-D empty tensors print their size.
#[test]
fn test_empty_2d_prints_size() {
    let values: Vec<f64> = vec![];
    let got = format_tensor(
        Values::Float(&values),
        &[0, 3],
        &[],
        &PrintOptions::default(),
    );
    assert_eq!(got, "tensor([], size=(0, 3))");
}

/// empty tensors show a non-default dtype.
#[test]
fn test_empty_int64_prints_dtype_after_size() {
    let values: Vec<i64> = vec![];
    let got = format_tensor(
        Values::Int(&values),
        &[0, 3],
        &["dtype=torch.int64".to_string()],
        &PrintOptions::default(),
    );
    assert_eq!(got, "tensor([], size=(0, 3), dtype=torch.int64)");
}

/// empty bool shows its dtype.
#[test]
fn test_empty_bool_1d_prints_dtype() {
    let values: Vec<bool> = vec![];
    let got = format_tensor(
        Values::Bool(&values),
        &[0],
        &["dtype=torch.bool".to_string()],
        &PrintOptions::default(),
    );
    assert_eq!(got, "tensor([], dtype=torch.bool)");
}

/// size, dtype, requires_grad in order.
#[test]
fn test_empty_float64_requires_grad() {
    let values: Vec<f64> = vec![];
    let got = format_tensor(
        Values::Float(&values),
        &[2, 0],
        &[
            "dtype=torch.float64".to_string(),
            "requires_grad=True".to_string(),
        ],
        &PrintOptions::default(),
    );
    assert_eq!(
        got,
        "tensor([], size=(2, 0), dtype=torch.float64, requires_grad=True)"
    );
}

/// zero anywhere makes it empty.
#[test]
fn test_empty_3d_with_zero_inner_dim() {
    let values: Vec<f64> = vec![];
    let got = format_tensor(
        Values::Float(&values),
        &[2, 0, 4],
        &[],
        &PrintOptions::default(),
    );
    assert_eq!(got, "tensor([], size=(2, 0, 4))");
}

/// 2000 > threshold; ratio 1999 > 1000 so sci.
#[test]
fn test_long_row_summarised_in_sci() {
    let values: Vec<f64> = (0..2000).map(|i| i as f64).collect::<Vec<f64>>();
    let got = format_tensor(
        Values::Float(&values),
        &[2000],
        &[],
        &PrintOptions::default(),
    );
    assert_eq!(got, "tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n        1.9990e+03])");
}

/// int row with ....
#[test]
fn test_long_int_row_summarised() {
    let values: Vec<i64> = (0..1001).map(|i| i as i64).collect::<Vec<i64>>();
    let got = format_tensor(Values::Int(&values), &[1001], &[], &PrintOptions::default());
    assert_eq!(got, "tensor([   0,    1,    2,  ...,  998,  999, 1000])");
}

/// rows and columns both summarised; width from the edges only.
#[test]
fn test_matrix_100x100_summarised() {
    let values: Vec<f64> = (0..10000)
        .map(|i| (((i as f64) * 0.37 - 1000.0) as f32) as f64)
        .collect::<Vec<f64>>();
    let got = format_tensor(
        Values::Float(&values),
        &[100, 100],
        &[],
        &PrintOptions::default(),
    );
    assert_eq!(got, "tensor([[-1000.0000,  -999.6300,  -999.2600,  ...,  -964.1100,  -963.7400,\n          -963.3700],\n        [ -963.0000,  -962.6300,  -962.2600,  ...,  -927.1100,  -926.7400,\n          -926.3700],\n        [ -926.0000,  -925.6300,  -925.2600,  ...,  -890.1100,  -889.7400,\n          -889.3700],\n        ...,\n        [ 2589.0000,  2589.3701,  2589.7400,  ...,  2624.8899,  2625.2600,\n          2625.6299],\n        [ 2626.0000,  2626.3701,  2626.7400,  ...,  2661.8899,  2662.2600,\n          2662.6299],\n        [ 2663.0000,  2663.3701,  2663.7400,  ...,  2698.8899,  2699.2600,\n          2699.6299]])");
}

/// 3-D summary: ... block between blank lines.
#[test]
fn test_cube_11x11x11_summarised() {
    let values: Vec<f64> = (0..1331).map(|i| i as f64).collect::<Vec<f64>>();
    let got = format_tensor(
        Values::Float(&values),
        &[11, 11, 11],
        &[],
        &PrintOptions::default(),
    );
    assert_eq!(got, "tensor([[[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 8.0000e+00,\n          9.0000e+00, 1.0000e+01],\n         [1.1000e+01, 1.2000e+01, 1.3000e+01,  ..., 1.9000e+01,\n          2.0000e+01, 2.1000e+01],\n         [2.2000e+01, 2.3000e+01, 2.4000e+01,  ..., 3.0000e+01,\n          3.1000e+01, 3.2000e+01],\n         ...,\n         [8.8000e+01, 8.9000e+01, 9.0000e+01,  ..., 9.6000e+01,\n          9.7000e+01, 9.8000e+01],\n         [9.9000e+01, 1.0000e+02, 1.0100e+02,  ..., 1.0700e+02,\n          1.0800e+02, 1.0900e+02],\n         [1.1000e+02, 1.1100e+02, 1.1200e+02,  ..., 1.1800e+02,\n          1.1900e+02, 1.2000e+02]],\n\n        [[1.2100e+02, 1.2200e+02, 1.2300e+02,  ..., 1.2900e+02,\n          1.3000e+02, 1.3100e+02],\n         [1.3200e+02, 1.3300e+02, 1.3400e+02,  ..., 1.4000e+02,\n          1.4100e+02, 1.4200e+02],\n         [1.4300e+02, 1.4400e+02, 1.4500e+02,  ..., 1.5100e+02,\n          1.5200e+02, 1.5300e+02],\n         ...,\n         [2.0900e+02, 2.1000e+02, 2.1100e+02,  ..., 2.1700e+02,\n          2.1800e+02, 2.1900e+02],\n         [2.2000e+02, 2.2100e+02, 2.2200e+02,  ..., 2.2800e+02,\n          2.2900e+02, 2.3000e+02],\n         [2.3100e+02, 2.3200e+02, 2.3300e+02,  ..., 2.3900e+02,\n          2.4000e+02, 2.4100e+02]],\n\n        [[2.4200e+02, 2.4300e+02, 2.4400e+02,  ..., 2.5000e+02,\n          2.5100e+02, 2.5200e+02],\n         [2.5300e+02, 2.5400e+02, 2.5500e+02,  ..., 2.6100e+02,\n          2.6200e+02, 2.6300e+02],\n         [2.6400e+02, 2.6500e+02, 2.6600e+02,  ..., 2.7200e+02,\n          2.7300e+02, 2.7400e+02],\n         ...,\n         [3.3000e+02, 3.3100e+02, 3.3200e+02,  ..., 3.3800e+02,\n          3.3900e+02, 3.4000e+02],\n         [3.4100e+02, 3.4200e+02, 3.4300e+02,  ..., 3.4900e+02,\n          3.5000e+02, 3.5100e+02],\n         [3.5200e+02, 3.5300e+02, 3.5400e+02,  ..., 3.6000e+02,\n          3.6100e+02, 3.6200e+02]],\n\n        ...,\n\n        [[9.6800e+02, 9.6900e+02, 9.7000e+02,  ..., 9.7600e+02,\n          9.7700e+02, 9.7800e+02],\n         [9.7900e+02, 9.8000e+02, 9.8100e+02,  ..., 9.8700e+02,\n          9.8800e+02, 9.8900e+02],\n         [9.9000e+02, 9.9100e+02, 9.9200e+02,  ..., 9.9800e+02,\n          9.9900e+02, 1.0000e+03],\n         ...,\n         [1.0560e+03, 1.0570e+03, 1.0580e+03,  ..., 1.0640e+03,\n          1.0650e+03, 1.0660e+03],\n         [1.0670e+03, 1.0680e+03, 1.0690e+03,  ..., 1.0750e+03,\n          1.0760e+03, 1.0770e+03],\n         [1.0780e+03, 1.0790e+03, 1.0800e+03,  ..., 1.0860e+03,\n          1.0870e+03, 1.0880e+03]],\n\n        [[1.0890e+03, 1.0900e+03, 1.0910e+03,  ..., 1.0970e+03,\n          1.0980e+03, 1.0990e+03],\n         [1.1000e+03, 1.1010e+03, 1.1020e+03,  ..., 1.1080e+03,\n          1.1090e+03, 1.1100e+03],\n         [1.1110e+03, 1.1120e+03, 1.1130e+03,  ..., 1.1190e+03,\n          1.1200e+03, 1.1210e+03],\n         ...,\n         [1.1770e+03, 1.1780e+03, 1.1790e+03,  ..., 1.1850e+03,\n          1.1860e+03, 1.1870e+03],\n         [1.1880e+03, 1.1890e+03, 1.1900e+03,  ..., 1.1960e+03,\n          1.1970e+03, 1.1980e+03],\n         [1.1990e+03, 1.2000e+03, 1.2010e+03,  ..., 1.2070e+03,\n          1.2080e+03, 1.2090e+03]],\n\n        [[1.2100e+03, 1.2110e+03, 1.2120e+03,  ..., 1.2180e+03,\n          1.2190e+03, 1.2200e+03],\n         [1.2210e+03, 1.2220e+03, 1.2230e+03,  ..., 1.2290e+03,\n          1.2300e+03, 1.2310e+03],\n         [1.2320e+03, 1.2330e+03, 1.2340e+03,  ..., 1.2400e+03,\n          1.2410e+03, 1.2420e+03],\n         ...,\n         [1.2980e+03, 1.2990e+03, 1.3000e+03,  ..., 1.3060e+03,\n          1.3070e+03, 1.3080e+03],\n         [1.3090e+03, 1.3100e+03, 1.3110e+03,  ..., 1.3170e+03,\n          1.3180e+03, 1.3190e+03],\n         [1.3200e+03, 1.3210e+03, 1.3220e+03,  ..., 1.3280e+03,\n          1.3290e+03, 1.3300e+03]]])");
}

/// the hidden middle value 1e6 does not widen the column.
#[test]
fn test_summary_width_ignores_hidden_values() {
    let values: Vec<f64> = (0..1006)
        .map(|i| {
            if i < 5 {
                1.0
            } else if i == 5 {
                1e6
            } else {
                2.0
            }
        })
        .collect::<Vec<f64>>();
    let got = format_tensor(
        Values::Float(&values),
        &[1006],
        &[],
        &PrintOptions::default(),
    );
    assert_eq!(got, "tensor([1., 1., 1.,  ..., 2., 2., 2.])");
}

/// 8 items of width 6 + 2 fit in 73 columns.
#[test]
fn test_row_of_30_wraps_at_linewidth() {
    let values: Vec<f64> = (0..30)
        .map(|i| (((i as f64) * 0.1 + 0.05) as f32) as f64)
        .collect::<Vec<f64>>();
    let got = format_tensor(Values::Float(&values), &[30], &[], &PrintOptions::default());
    assert_eq!(got, "tensor([0.0500, 0.1500, 0.2500, 0.3500, 0.4500, 0.5500, 0.6500, 0.7500, 0.8500,\n        0.9500, 1.0500, 1.1500, 1.2500, 1.3500, 1.4500, 1.5500, 1.6500, 1.7500,\n        1.8500, 1.9500, 2.0500, 2.1500, 2.2500, 2.3500, 2.4500, 2.5500, 2.6500,\n        2.7500, 2.8500, 2.9500])");
}

/// inner rows wrap at indent + 1.
#[test]
fn test_matrix_rows_wrap_with_deeper_indent() {
    let values: Vec<f64> = (0..40).map(|i| i as f64 - 20.0).collect::<Vec<f64>>();
    let got = format_tensor(
        Values::Float(&values),
        &[2, 20],
        &["dtype=torch.float64".to_string()],
        &PrintOptions::default(),
    );
    assert_eq!(got, "tensor([[-20., -19., -18., -17., -16., -15., -14., -13., -12., -11., -10.,  -9.,\n          -8.,  -7.,  -6.,  -5.,  -4.,  -3.,  -2.,  -1.],\n        [  0.,   1.,   2.,   3.,   4.,   5.,   6.,   7.,   8.,   9.,  10.,  11.,\n          12.,  13.,  14.,  15.,  16.,  17.,  18.,  19.]], dtype=torch.float64)");
}

/// the suffix would pass 80 columns.
#[test]
fn test_long_last_line_moves_grad_fn_to_new_line() {
    let values: Vec<f64> = (0..8)
        .map(|i| (((i as f64) * 1.5 - 3.25) as f32) as f64)
        .collect::<Vec<f64>>();
    let got = format_tensor(
        Values::Float(&values),
        &[8],
        &["grad_fn=<AddBackward0>".to_string()],
        &PrintOptions::default(),
    );
    assert_eq!(got, "tensor([-3.2500, -1.7500, -0.2500,  1.2500,  2.7500,  4.2500,  5.7500,  7.2500],\n       grad_fn=<AddBackward0>)");
}

/// non-default dtype suffix.
#[test]
fn test_float64_dtype_suffix() {
    let values: Vec<f64> = vec![1.5, 2.25];
    let got = format_tensor(
        Values::Float(&values),
        &[2],
        &["dtype=torch.float64".to_string()],
        &PrintOptions::default(),
    );
    assert_eq!(got, "tensor([1.5000, 2.2500], dtype=torch.float64)");
}

/// each suffix is checked against the line width.
#[test]
fn test_float64_dtype_and_grad_fn_wrap_separately() {
    let values: Vec<f64> = (0..9)
        .map(|i| (i as f64) * 1.5 - 3.25)
        .collect::<Vec<f64>>();
    let got = format_tensor(
        Values::Float(&values),
        &[9],
        &[
            "dtype=torch.float64".to_string(),
            "grad_fn=<MulBackward0>".to_string(),
        ],
        &PrintOptions::default(),
    );
    assert_eq!(got, "tensor([-3.2500, -1.7500, -0.2500,  1.2500,  2.7500,  4.2500,  5.7500,  7.2500,\n         8.7500], dtype=torch.float64, grad_fn=<MulBackward0>)");
}

/// int32 is not a default dtype.
#[test]
fn test_int32_dtype_suffix() {
    let values: Vec<i64> = vec![1, 2];
    let got = format_tensor(
        Values::Int(&values),
        &[2],
        &["dtype=torch.int32".to_string()],
        &PrintOptions::default(),
    );
    assert_eq!(got, "tensor([1, 2], dtype=torch.int32)");
}

/// set_printoptions(precision=2).
#[test]
fn test_precision_two() {
    let values: Vec<f64> = vec![1.1234500408172607];
    let got = format_tensor(
        Values::Float(&values),
        &[1],
        &[],
        &PrintOptions {
            precision: 2,
            ..PrintOptions::default()
        },
    );
    assert_eq!(got, "tensor([1.12])");
}

/// the set_printoptions docstring example.
#[test]
fn test_threshold_five_summarises_arange_10() {
    let values: Vec<i64> = vec![0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    let got = format_tensor(
        Values::Int(&values),
        &[10],
        &[],
        &PrintOptions {
            threshold: 5,
            ..PrintOptions::default()
        },
    );
    assert_eq!(got, "tensor([0, 1, 2,  ..., 7, 8, 9])");
}

/// sci_mode=True measures sci widths.
#[test]
fn test_forced_sci_mode() {
    let values: Vec<f64> = vec![1.0, 2.5];
    let got = format_tensor(
        Values::Float(&values),
        &[2],
        &[],
        &PrintOptions {
            sci_mode: Some(true),
            ..PrintOptions::default()
        },
    );
    assert_eq!(got, "tensor([1.0000e+00, 2.5000e+00])");
}

/// no nonzero finite value: the forced mode is never applied.
#[test]
fn test_forced_sci_mode_ignored_for_all_zero() {
    let values: Vec<f64> = vec![0.0, 0.0];
    let got = format_tensor(
        Values::Float(&values),
        &[2],
        &[],
        &PrintOptions {
            sci_mode: Some(true),
            ..PrintOptions::default()
        },
    );
    assert_eq!(got, "tensor([0., 0.])");
}

/// sci_mode=False keeps fixed notation for tiny values.
#[test]
fn test_forced_fixed_mode() {
    let values: Vec<f64> = vec![9.999999747378752e-06, 1.0];
    let got = format_tensor(
        Values::Float(&values),
        &[2],
        &[],
        &PrintOptions {
            sci_mode: Some(false),
            ..PrintOptions::default()
        },
    );
    assert_eq!(got, "tensor([0.0000, 1.0000])");
}

/// edgeitems=0 while summarising prints [...] and the size.
#[test]
fn test_edgeitems_zero_summarised_row_prints_bare_ellipsis_and_size() {
    let values: Vec<f64> = vec![0.0, 1.0, 2.0, 3.0, 4.0];
    let got = format_tensor(
        Values::Float(&values),
        &[5],
        &[],
        &PrintOptions {
            threshold: 3,
            edgeitems: 0,
            ..PrintOptions::default()
        },
    );
    assert_eq!(got, "tensor([...], size=(5,))");
}

/// edgeitems=0 adds size even without summarising.
#[test]
fn test_edgeitems_zero_adds_size_even_when_not_summarised() {
    let values: Vec<f64> = vec![1.0, 1.0, 1.0, 1.0];
    let got = format_tensor(
        Values::Float(&values),
        &[2, 2],
        &[],
        &PrintOptions {
            edgeitems: 0,
            ..PrintOptions::default()
        },
    );
    assert_eq!(got, "tensor([[1., 1.],\n        [1., 1.]], size=(2, 2))");
}

/// edgeitems=0 and summarising a matrix.
#[test]
fn test_edgeitems_zero_summarised_matrix_prints_bare_ellipsis() {
    let values: Vec<f64> = vec![1.0, 1.0, 1.0, 1.0];
    let got = format_tensor(
        Values::Float(&values),
        &[2, 2],
        &[],
        &PrintOptions {
            threshold: 1,
            edgeitems: 0,
            ..PrintOptions::default()
        },
    );
    assert_eq!(got, "tensor([...], size=(2, 2))");
}

/// elements_per_line never drops below 1.
#[test]
fn test_tiny_linewidth_one_item_per_line() {
    let values: Vec<f64> = vec![0.0, 1.0, 2.0, 3.0];
    let got = format_tensor(
        Values::Float(&values),
        &[2, 2],
        &[],
        &PrintOptions {
            linewidth: 5,
            ..PrintOptions::default()
        },
    );
    assert_eq!(
        got,
        "tensor([[0.,\n         1.],\n        [2.,\n         3.]])"
    );
}

/// edgeitems=1 on a 3-D tensor.
#[test]
fn test_edgeitems_one_summarised_3d() {
    let values: Vec<i64> = (0..27).map(|i| i as i64).collect::<Vec<i64>>();
    let got = format_tensor(
        Values::Int(&values),
        &[3, 3, 3],
        &[],
        &PrintOptions {
            threshold: 10,
            edgeitems: 1,
            ..PrintOptions::default()
        },
    );
    assert_eq!(got, "tensor([[[ 0,  ...,  2],\n         ...,\n         [ 6,  ...,  8]],\n\n        ...,\n\n        [[18,  ..., 20],\n         ...,\n         [24,  ..., 26]]])");
}

/// precision=0 writes 1e+05 with no point.
#[test]
fn test_precision_zero_sci() {
    let values: Vec<f64> = vec![100000.0, 1.0];
    let got = format_tensor(
        Values::Float(&values),
        &[2],
        &["dtype=torch.float64".to_string()],
        &PrintOptions {
            precision: 0,
            ..PrintOptions::default()
        },
    );
    assert_eq!(got, "tensor([1e+05, 1e+00], dtype=torch.float64)");
}

/// The process-global options round-trip and start at PyTorch's defaults.
#[test]
fn test_global_print_options_default_and_round_trip() {
    assert_eq!(get_print_options(), PrintOptions::default());
    let custom = PrintOptions {
        precision: 2,
        threshold: 5,
        edgeitems: 1,
        linewidth: 40,
        sci_mode: Some(true),
    };
    set_print_options(custom.clone());
    assert_eq!(get_print_options(), custom);
    set_print_options(PrintOptions::default());
    assert_eq!(get_print_options(), PrintOptions::default());
}

/// The documented defaults are PyTorch's `profile="default"`.
#[test]
fn test_default_options_match_pytorch_default_profile() {
    let d = PrintOptions::default();
    assert_eq!(
        (
            d.precision,
            d.threshold,
            d.edgeitems,
            d.linewidth,
            d.sci_mode
        ),
        (4, 1000, 3, 80, None)
    );
}

/// Non-empty tensors hide int64/bool/default dtypes; empty ones only the default float.
#[test]
fn test_dtype_suffix_rule_differs_for_empty_tensors() {
    // (is_default_float_dtype, is_int64_or_bool, numel) -> shown?
    assert!(!dtype_suffix_needed(true, false, 3));
    assert!(!dtype_suffix_needed(false, true, 3));
    assert!(dtype_suffix_needed(false, false, 3));
    assert!(!dtype_suffix_needed(true, false, 0));
    assert!(dtype_suffix_needed(false, true, 0));
    assert!(dtype_suffix_needed(false, false, 0));
}

/// A mismatch between values and shape is a caller bug and panics loudly.
#[test]
#[should_panic(expected = "values for shape")]
fn test_values_shape_mismatch_panics() {
    format_tensor(
        Values::Float(&[1.0, 2.0]),
        &[3],
        &[],
        &PrintOptions::default(),
    );
}
