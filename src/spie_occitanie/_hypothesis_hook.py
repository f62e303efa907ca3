"""Hypothesis's entry point for this package: teach ``st.from_type`` the constrained types.

Hypothesis loads its entry points while it is itself being imported. This
module therefore imports nothing at the top: importing
:mod:`spie_occitanie.strategies` here would import Hypothesis again, half
loaded (``from spie_occitanie import strategies`` used to fail that way).
The strategies are registered as deferred ones, built at first use.
"""

from __future__ import annotations


def _hypothesis_setup_hook() -> None:
    """Register the explicit strategies of money, partial dates and datasets.

    Inference from the attrs validators cannot know that an EDTF date must
    exist or that money is a multiple of its precision.
    """
    from hypothesis import strategies as st

    from spie_occitanie.dataset import Dataset
    from spie_occitanie.model import Money, PartialDate

    def deferred(name: str) -> st.SearchStrategy[object]:
        def build() -> st.SearchStrategy[object]:
            from spie_occitanie import strategies

            strategy: st.SearchStrategy[object] = getattr(strategies, name)()
            return strategy

        return st.deferred(build)

    st.register_type_strategy(PartialDate, deferred("partial_dates"))
    st.register_type_strategy(Money, deferred("amounts"))
    st.register_type_strategy(Dataset, deferred("datasets"))
