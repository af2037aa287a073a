//! Bindings generated from the core's op declarations (`for_each_unary_op!`): for every
//! unary op `name`, the methods `Tensor.name()` and `Tensor.name_()` and the function
//! `name(input, *, out=None)`; `_UNARY_OPS` lists them for the package, the stub generator
//! and the tests. Adding an op to the core's declaration adds all of these.
//!
//! What it must never do: hold an op of its own (declare it in the core).

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

        pub use functions::register;
    };
}

pyrustgrad_core::for_each_unary_op!(unary_bindings);
