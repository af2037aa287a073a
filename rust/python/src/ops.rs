//! Bindings generated from the core's op declarations (`for_each_unary_op!`,
//! `for_each_binary_op!`): for every unary op `name`, the methods `Tensor.name()` and
//! `Tensor.name_()` and the function `name(input, *, out=None)`; for every binary op, the same
//! with an `other` (a tensor or a number). `_UNARY_OPS` and `_BINARY_OPS` list them for the
//! package, the stub generator and the tests. Adding an op to the core's declaration adds all
//! of these.
//!
//! What it must never do: hold an op of its own (declare it in the core).

use crate::convert::need_operand;
use crate::errors::run;
use crate::tensor::{wrap, PyTensor};
use pyo3::prelude::*;
use pyrustgrad_core::ops;

macro_rules! unary_bindings {
    ($( $name:ident ),*) => {
        #[pymethods]
        impl PyTensor {
            $(
                fn $name(&self, py: Python) -> PyResult<PyObject> {
                    wrap(py, run(|| ops::$name(&self.t))?)
                }
            )*
        }

        paste::paste! {
            #[pymethods]
            impl PyTensor {
                $(
                    fn [<$name _>](slf: PyRef<Self>) -> PyResult<PyRef<Self>> {
                        run(|| ops::[<$name _>](&slf.t))?;
                        Ok(slf)
                    }
                )*
            }
        }

        mod functions {
            use super::*;
            $(
                #[pyfunction(out = "None")]
                pub fn $name(py: Python, input: PyRef<PyTensor>, out: Option<PyRef<PyTensor>>) -> PyResult<PyObject> {
                    let r = run(|| ops::$name(&input.t))?;
                    match out {
                        None => wrap(py, r),
                        Some(o) => {
                            run(|| ops::copy_out(&o.t, &r))?;
                            Ok(o.into_py(py))
                        }
                    }
                }
            )*

            pub fn register(m: &PyModule) -> PyResult<()> {
                $( m.add_function(pyo3::wrap_pyfunction!($name, m)?)?; )*
                m.add("_UNARY_OPS", vec![$( stringify!($name) ),*])?;
                Ok(())
            }
        }

    };
}

pyrustgrad_core::for_each_unary_op!(unary_bindings);

macro_rules! binary_bindings {
    ($( $name:ident ),*) => {
        #[pymethods]
        impl PyTensor {
            $(
                fn $name(&self, py: Python, other: &PyAny) -> PyResult<PyObject> {
                    let b = need_operand(other, self.t.dtype(), stringify!($name))?;
                    wrap(py, run(|| ops::$name(&self.t, &b))?)
                }
            )*
        }

        paste::paste! {
            #[pymethods]
            impl PyTensor {
                $(
                    fn [<$name _>]<'p>(slf: PyRef<'p, Self>, other: &PyAny) -> PyResult<PyRef<'p, Self>> {
                        let b = need_operand(other, slf.t.dtype(), concat!(stringify!($name), "_"))?;
                        run(|| ops::[<$name _>](&slf.t, &b))?;
                        Ok(slf)
                    }
                )*
            }
        }

        mod binary_functions {
            use super::*;
            $(
                #[pyfunction(out = "None")]
                pub fn $name(py: Python, input: &PyAny, other: &PyAny, out: Option<PyRef<PyTensor>>) -> PyResult<PyObject> {
                    // A number first and a tensor second is allowed, as in PyTorch.
                    let like = crate::tensor::tensor_of(input).or_else(|| crate::tensor::tensor_of(other)).map_or(pyrustgrad_core::DType::F32, |t| t.dtype());
                    let (a, b) = (need_operand(input, like, stringify!($name))?, need_operand(other, like, stringify!($name))?);
                    let r = run(|| ops::$name(&a, &b))?;
                    match out {
                        None => wrap(py, r),
                        Some(o) => {
                            run(|| ops::copy_out(&o.t, &r))?;
                            Ok(o.into_py(py))
                        }
                    }
                }
            )*

            pub fn register(m: &PyModule) -> PyResult<()> {
                $( m.add_function(pyo3::wrap_pyfunction!($name, m)?)?; )*
                m.add("_BINARY_OPS", vec![$( stringify!($name) ),*])?;
                Ok(())
            }
        }
    };
}

pyrustgrad_core::for_each_binary_op!(binary_bindings);

/// Registers the generated functions and op lists.
pub fn register_all(m: &PyModule) -> PyResult<()> {
    functions::register(m)?;
    binary_functions::register(m)
}
